using System.Numerics.Tensors;
using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// A fully connected layer over flat spans: weights (Outputs × Inputs, row-major) and biases (Outputs).
/// The update walks the weights row by row, so each row stays in cache while the batch streams past it.
/// </summary>
internal static class DenseLayer
{
    /// <summary>output = W·x + b.</summary>
    public static void Forward(ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> x, Span<float> output)
    {
        var inputs = x.Length;
        for (var o = 0; o < biases.Length; o++)
            output[o] = TensorPrimitives.Dot(weights.Slice(o * inputs, inputs), x) + biases[o];
    }

    /// <summary>
    /// W ← weightScale·W + step·Σ_s g_s ⊗ x_s and b ← b + step·Σ_s g_s, where sample s's inputs x_s are
    /// row s of <paramref name="inputRows"/> and its output gradient g_s is row s of <paramref name="outputGradients"/>.
    /// </summary>
    public static void Update(
        Span<float> weights, Span<float> biases, ReadOnlySpan<float> inputRows, ReadOnlySpan<float> outputGradients,
        int batchSize, float weightScale, float gradientStep)
    {
        var outputs = biases.Length;
        var inputs = weights.Length / outputs;
        for (var o = 0; o < outputs; o++)
        {
            var row = weights.Slice(o * inputs, inputs);
            if (weightScale != 1f) TensorPrimitives.Multiply(row, weightScale, row);
            var biasGradient = 0f;
            for (var s = 0; s < batchSize; s++)
            {
                var g = outputGradients[s * outputs + o];
                biasGradient += g;
                TensorPrimitives.MultiplyAdd(inputRows.Slice(s * inputs, inputs), gradientStep * g, row, row);
            }
            biases[o] += gradientStep * biasGradient;
        }
    }

    /// <summary>As the other overload, with the inputs read in place from the dataset samples in <paramref name="batch"/>.</summary>
    public static void Update(
        Span<float> weights, Span<float> biases, Dataset data, ReadOnlySpan<int> batch, ReadOnlySpan<float> outputGradients,
        float weightScale, float gradientStep)
    {
        var outputs = biases.Length;
        var inputs = weights.Length / outputs;
        for (var o = 0; o < outputs; o++)
        {
            var row = weights.Slice(o * inputs, inputs);
            if (weightScale != 1f) TensorPrimitives.Multiply(row, weightScale, row);
            var biasGradient = 0f;
            for (var s = 0; s < batch.Length; s++)
            {
                var g = outputGradients[s * outputs + o];
                // Behind a ReLU about half the gradients are exactly zero; skipping them halves the work.
                if (g == 0f) continue;
                biasGradient += g;
                TensorPrimitives.MultiplyAdd(data.Sample(batch[s]), gradientStep * g, row, row);
            }
            biases[o] += gradientStep * biasGradient;
        }
    }
}
