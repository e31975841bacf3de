using System.Numerics.Tensors;
using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// Multinomial (softmax) logistic regression. Parameters: W (Classes × Inputs, row-major), then b (Classes).
/// </summary>
public sealed class LogisticRegression : IModel, IForwardPass
{
    public LogisticRegression(int inputs, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Shape = ModelShape.LogisticRegression(inputs, classes);
    }

    public ModelShape Shape { get; }

    private int Classes => Shape.Classes;
    private int BiasOffset => Classes * Shape.Inputs;

    /// <summary>Xavier-uniform weights and zero biases.</summary>
    public ModelWeights Initialize(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[Shape.ParameterCount];
        Initialization.FillUniform(values.AsSpan(0, BiasOffset), Math.Sqrt(6.0 / (Shape.Inputs + Classes)), random);
        return new ModelWeights(Shape, values);
    }

    public void Train(float[] parameters, Dataset data, SgdOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        MinibatchSgd.CheckCompatible(Shape, parameters.Length, data);
        MinibatchSgd.CheckOptions(options, random);
        // Scratch for one batch, allocated once per call: row s holds sample s's logits, then their gradient.
        var batchCapacity = Math.Min(options.BatchSize, data.Count);
        var logitGradients = new float[batchCapacity * Classes];

        MinibatchSgd.Run(data.Count, options, random, (batch, weightScale, gradientStep) =>
        {
            var weights = parameters.AsSpan(0, BiasOffset);
            var biases = parameters.AsSpan(BiasOffset, Classes);
            // Every gradient in the batch is computed from the pre-update parameters.
            for (var s = 0; s < batch.Length; s++)
            {
                var logits = logitGradients.AsSpan(s * Classes, Classes);
                DenseLayer.Forward(weights, biases, data.Sample(batch[s]), logits);
                SoftmaxCrossEntropy.ToLogitGradient(logits, data.Labels[batch[s]]);
            }
            DenseLayer.Update(weights, biases, data, batch, logitGradients, weightScale, gradientStep);
        });
    }

    public Evaluation Evaluate(ReadOnlySpan<float> parameters, Dataset data) => ForwardPassScoring.Evaluate(this, parameters, data);

    public int[] Predict(ReadOnlySpan<float> parameters, Dataset data) => ForwardPassScoring.Predict(this, parameters, data);

    void IForwardPass.VisitLogits(ReadOnlySpan<float> parameters, Dataset data, LogitsVisitor visit)
    {
        MinibatchSgd.CheckCompatible(Shape, parameters.Length, data);
        var weights = parameters[..BiasOffset];
        var biases = parameters.Slice(BiasOffset, Classes);
        var logits = new float[Classes];
        for (var i = 0; i < data.Count; i++)
        {
            DenseLayer.Forward(weights, biases, data.Sample(i), logits);
            visit(i, logits);
        }
    }
}
