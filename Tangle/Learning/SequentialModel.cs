using System.Numerics.Tensors;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning.Layers;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// Any <see cref="ModelShape"/>: its layers in order, then softmax cross-entropy. Parameters are the layers' parameters
/// one after another, each layer's weights before its biases.
/// </summary>
public sealed class SequentialModel : IModel, IForwardPass
{
    /// <summary>Samples per forward pass when evaluating: their activations stay in cache, and a dozen-sample test set gets scratch to match.</summary>
    private const int EvaluationBlock = 64;

    private readonly IReadOnlyList<ILayer> _layers;
    private readonly int[] _offsets;

    /// <summary>Backpropagation stops here: no layer before it has parameters, so nothing needs its input gradient.</summary>
    private readonly int _firstTrainable;

    public SequentialModel(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
        _layers = shape.Bound;
        _offsets = new int[_layers.Count + 1];
        for (var i = 0; i < _layers.Count; i++) _offsets[i + 1] = _offsets[i] + _layers[i].ParameterCount;
        _firstTrainable = _layers.ToList().FindIndex(l => l.ParameterCount > 0);
    }

    public ModelShape Shape { get; }

    public ModelWeights Initialize(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[Shape.ParameterCount];
        for (var i = 0; i < _layers.Count; i++) _layers[i].Initialize(Slice(values, i), random);
        return new ModelWeights(Shape, values);
    }

    public void Train(float[] parameters, Dataset data, SgdOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        MinibatchSgd.CheckCompatible(Shape, parameters.Length, data);
        MinibatchSgd.CheckOptions(options, random);
        // Scratch for one batch, allocated once per call: the batch's samples and every layer's output, two gradient
        // buffers that take turns as a layer's input and output gradient, and the parameters' gradient.
        var capacity = Math.Min(options.BatchSize, data.Count);
        var inputs = new float[checked(capacity * Shape.Inputs)];
        var outputs = AllocateOutputs(capacity);
        var largest = checked(_layers.Max(l => Math.Max(l.Input.Size, l.Output.Size)) * capacity);
        float[] gradientIn = new float[largest], gradientOut = new float[largest];
        var parameterGradient = new float[parameters.Length];

        MinibatchSgd.Run(data.Count, options, random, (batch, weightScale, gradientStep) =>
        {
            var n = batch.Length;
            for (var s = 0; s < n; s++) data.Sample(batch[s]).CopyTo(inputs.AsSpan(s * Shape.Inputs, Shape.Inputs));
            Forward(parameters, inputs.AsSpan(0, n * Shape.Inputs), outputs, n);

            // Every gradient in the batch comes from the pre-update parameters; the update follows the backward pass.
            var logits = outputs[^1].AsSpan(0, n * Shape.Classes);
            logits.CopyTo(gradientOut);
            for (var s = 0; s < n; s++)
                SoftmaxCrossEntropy.ToLogitGradient(gradientOut.AsSpan(s * Shape.Classes, Shape.Classes), data.Labels[batch[s]]);
            parameterGradient.AsSpan().Clear();
            for (var i = _layers.Count - 1; i >= _firstTrainable; i--)
            {
                var layer = _layers[i];
                var inputGradient = i == _firstTrainable ? Span<float>.Empty : gradientIn.AsSpan(0, n * layer.Input.Size);
                var layerInput = i == 0 ? inputs : outputs[i - 1];
                layer.Backward(Slice(parameters, i), layerInput.AsSpan(0, n * layer.Input.Size), outputs[i].AsSpan(0, n * layer.Output.Size),
                    gradientOut.AsSpan(0, n * layer.Output.Size),
                    inputGradient, Slice(parameterGradient, i), n);
                (gradientIn, gradientOut) = (gradientOut, gradientIn);
            }

            for (var i = 0; i < _layers.Count; i++)
            {
                var weights = Slice(parameters, i)[.._layers[i].WeightCount];
                if (weightScale != 1f) TensorPrimitives.Multiply(weights, weightScale, weights);
            }
            TensorPrimitives.MultiplyAdd(parameterGradient, gradientStep, parameters, parameters);
        });
    }

    public Evaluation Evaluate(ReadOnlySpan<float> parameters, Dataset data) => ForwardPassScoring.Evaluate(this, parameters, data);

    public int[] Predict(ReadOnlySpan<float> parameters, Dataset data) => ForwardPassScoring.Predict(this, parameters, data);

    void IForwardPass.VisitLogits(ReadOnlySpan<float> parameters, Dataset data, LogitsVisitor visit)
    {
        MinibatchSgd.CheckCompatible(Shape, parameters.Length, data);
        var block = Math.Clamp(data.Count, 1, EvaluationBlock);
        var outputs = AllocateOutputs(block);
        for (var first = 0; first < data.Count; first += block)
        {
            var count = Math.Min(block, data.Count - first);
            Forward(parameters, data.Features.AsSpan(first * Shape.Inputs, count * Shape.Inputs), outputs, count);
            for (var s = 0; s < count; s++)
                visit(first + s, outputs[^1].AsSpan(s * Shape.Classes, Shape.Classes));
        }
    }

    /// <summary>Each layer's output for <paramref name="samples"/> samples.</summary>
    private float[][] AllocateOutputs(int samples) => [.. _layers.Select(l => new float[checked(samples * l.Output.Size)])];

    private void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, float[][] outputs, int samples)
    {
        for (var i = 0; i < _layers.Count; i++)
            _layers[i].Forward(parameters[_offsets[i].._offsets[i + 1]],
                i == 0 ? inputs : outputs[i - 1].AsSpan(0, samples * _layers[i].Input.Size), outputs[i].AsSpan(0, samples * _layers[i].Output.Size), samples);
    }

    private Span<float> Slice(float[] parameters, int layer) => parameters.AsSpan(_offsets[layer], _offsets[layer + 1] - _offsets[layer]);
}
