using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
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
    /// Row r of <paramref name="outputs"/> = W·(row r of <paramref name="inputs"/>) + b, for <paramref name="rows"/>
    /// contiguous rows. Four rows share each load of a weight row: a dot product alone loads two floats per
    /// multiply-add and is bound by loads; four at once load five per four.
    /// </summary>
    public static void ForwardRows(ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> inputs, int rows, Span<float> outputs)
    {
        var outputCount = biases.Length;
        var n = weights.Length / outputCount;
        if (weights.Length != n * outputCount || inputs.Length < rows * n || outputs.Length < rows * outputCount)
            throw new ArgumentException($"Shapes disagree: {weights.Length} weights for {outputCount} outputs, {inputs.Length} inputs and {outputs.Length} outputs for {rows} rows.");
        var r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            var x = inputs.Slice(r * n, 4 * n);
            for (var o = 0; o < outputCount; o++)
            {
                var (d0, d1, d2, d3) = Dot4(weights.Slice(o * n, n), x, n);
                outputs[r * outputCount + o] = d0 + biases[o];
                outputs[(r + 1) * outputCount + o] = d1 + biases[o];
                outputs[(r + 2) * outputCount + o] = d2 + biases[o];
                outputs[(r + 3) * outputCount + o] = d3 + biases[o];
            }
        }
        for (; r < rows; r++)
            Forward(weights, biases, inputs.Slice(r * n, n), outputs.Slice(r * outputCount, outputCount));
    }

    /// <summary>w · x_k for the four consecutive rows x_0..x_3 of length n in <paramref name="x"/>.</summary>
    private static (float, float, float, float) Dot4(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int n)
    {
        var width = Vector<float>.Count;
        var whole = n - n % width;
        var wv = MemoryMarshal.Cast<float, Vector<float>>(w[..whole]);
        var x0 = MemoryMarshal.Cast<float, Vector<float>>(x.Slice(0, whole));
        var x1 = MemoryMarshal.Cast<float, Vector<float>>(x.Slice(n, whole));
        var x2 = MemoryMarshal.Cast<float, Vector<float>>(x.Slice(2 * n, whole));
        var x3 = MemoryMarshal.Cast<float, Vector<float>>(x.Slice(3 * n, whole));
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (var i = 0; i < wv.Length; i++)
        {
            var wi = wv[i];
            s0 = Vector.FusedMultiplyAdd(wi, x0[i], s0);
            s1 = Vector.FusedMultiplyAdd(wi, x1[i], s1);
            s2 = Vector.FusedMultiplyAdd(wi, x2[i], s2);
            s3 = Vector.FusedMultiplyAdd(wi, x3[i], s3);
        }
        float d0 = Vector.Sum(s0), d1 = Vector.Sum(s1), d2 = Vector.Sum(s2), d3 = Vector.Sum(s3);
        for (var i = whole; i < n; i++)
        {
            d0 += w[i] * x[i];
            d1 += w[i] * x[n + i];
            d2 += w[i] * x[2 * n + i];
            d3 += w[i] * x[3 * n + i];
        }
        return (d0, d1, d2, d3);
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
