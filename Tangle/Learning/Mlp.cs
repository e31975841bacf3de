using System.Numerics.Tensors;
using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// A multilayer perceptron with one ReLU hidden layer and a softmax output.
/// Parameters: W1 (Hidden × Inputs, row-major), b1 (Hidden), W2 (Classes × Hidden, row-major), b2 (Classes).
/// </summary>
public sealed class Mlp : IModel, IForwardPass
{
    public Mlp(int inputs, int hidden, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Shape = ModelShape.Mlp(inputs, hidden, classes);
    }

    public ModelShape Shape { get; }

    private int Hidden => Shape.Hidden;
    private int Classes => Shape.Classes;
    private int HiddenBiasOffset => Hidden * Shape.Inputs;
    private int OutputWeightOffset => HiddenBiasOffset + Hidden;
    private int OutputBiasOffset => OutputWeightOffset + Classes * Hidden;

    /// <summary>He-uniform W1 (it feeds a ReLU), Xavier-uniform W2 (it feeds the softmax), zero biases.</summary>
    public ModelWeights Initialize(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[Shape.ParameterCount];
        Initialization.FillUniform(values.AsSpan(0, HiddenBiasOffset), Math.Sqrt(6.0 / Shape.Inputs), random);
        Initialization.FillUniform(values.AsSpan(OutputWeightOffset, Classes * Hidden), Math.Sqrt(6.0 / (Hidden + Classes)), random);
        return new ModelWeights(Shape, values);
    }

    public void Train(float[] parameters, Dataset data, SgdOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        MinibatchSgd.CheckCompatible(Shape, parameters.Length, data);
        MinibatchSgd.CheckOptions(options, random);
        // Scratch for one batch, allocated once per call; row s belongs to the batch's sample s.
        var batchCapacity = Math.Min(options.BatchSize, data.Count);
        var activations = new float[batchCapacity * Hidden];
        var hiddenGradients = new float[batchCapacity * Hidden];
        var logitGradients = new float[batchCapacity * Classes];

        MinibatchSgd.Run(data.Count, options, random, (batch, weightScale, gradientStep) =>
        {
            var w1 = parameters.AsSpan(0, HiddenBiasOffset);
            var b1 = parameters.AsSpan(HiddenBiasOffset, Hidden);
            var w2 = parameters.AsSpan(OutputWeightOffset, Classes * Hidden);
            var b2 = parameters.AsSpan(OutputBiasOffset, Classes);

            // Forward and backward for the whole batch first, so every gradient uses the pre-update parameters.
            for (var s = 0; s < batch.Length; s++)
            {
                var h = activations.AsSpan(s * Hidden, Hidden);
                var g = logitGradients.AsSpan(s * Classes, Classes);
                var dh = hiddenGradients.AsSpan(s * Hidden, Hidden);
                Forward(w1, b1, w2, b2, data.Sample(batch[s]), h, g);
                SoftmaxCrossEntropy.ToLogitGradient(g, data.Labels[batch[s]]);

                // dh = W2ᵀ·g, masked by the ReLU derivative (zero where the unit was off).
                dh.Clear();
                for (var c = 0; c < Classes; c++)
                    TensorPrimitives.MultiplyAdd(w2.Slice(c * Hidden, Hidden), g[c], dh, dh);
                for (var j = 0; j < Hidden; j++)
                    if (h[j] <= 0f) dh[j] = 0f;
            }

            DenseLayer.Update(w2, b2, activations, logitGradients, batch.Length, weightScale, gradientStep);
            DenseLayer.Update(w1, b1, data, batch, hiddenGradients, weightScale, gradientStep);
        });
    }

    public Evaluation Evaluate(ReadOnlySpan<float> parameters, Dataset data) => ForwardPassScoring.Evaluate(this, parameters, data);

    public int[] Predict(ReadOnlySpan<float> parameters, Dataset data) => ForwardPassScoring.Predict(this, parameters, data);

    void IForwardPass.VisitLogits(ReadOnlySpan<float> parameters, Dataset data, LogitsVisitor visit)
    {
        MinibatchSgd.CheckCompatible(Shape, parameters.Length, data);
        var w1 = parameters[..HiddenBiasOffset];
        var b1 = parameters.Slice(HiddenBiasOffset, Hidden);
        var w2 = parameters.Slice(OutputWeightOffset, Classes * Hidden);
        var b2 = parameters.Slice(OutputBiasOffset, Classes);
        const int MaxBlock = 64; // samples per pass: their hidden activations stay in cache
        var block = Math.Clamp(data.Count, 1, MaxBlock); // a peer's test set may be a dozen samples: scratch to match
        var hidden = new float[block * Hidden];
        var allLogits = new float[block * Classes];
        for (var first = 0; first < data.Count; first += block)
        {
            var count = Math.Min(block, data.Count - first);
            var h = hidden.AsSpan(0, count * Hidden);
            DenseLayer.ForwardRows(w1, b1, data.Features.AsSpan(first * Shape.Inputs, count * Shape.Inputs), count, h);
            TensorPrimitives.Max(h, 0f, h);
            DenseLayer.ForwardRows(w2, b2, h, count, allLogits.AsSpan(0, count * Classes));
            for (var s = 0; s < count; s++)
                visit(first + s, allLogits.AsSpan(s * Classes, Classes));
        }
    }

    private static void Forward(
        ReadOnlySpan<float> w1, ReadOnlySpan<float> b1, ReadOnlySpan<float> w2, ReadOnlySpan<float> b2,
        ReadOnlySpan<float> x, Span<float> h, Span<float> logits)
    {
        DenseLayer.Forward(w1, b1, x, h);
        TensorPrimitives.Max(h, 0f, h);
        DenseLayer.Forward(w2, b2, h, logits);
    }
}
