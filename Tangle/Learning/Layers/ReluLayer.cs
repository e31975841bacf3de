using System.Numerics;
using System.Numerics.Tensors;

namespace MlAspire.Tangle.Learning.Layers;

/// <summary>max(0, x), element by element.</summary>
internal sealed class ReluLayer(ActivationShape input) : ILayer
{
    public ActivationShape Input { get; } = input;
    public ActivationShape Output => Input;
    public int ParameterCount => 0;
    public int WeightCount => 0;
    public long ForwardMultiplyAdds => 0;

    public void Initialize(Span<float> parameters, Random random) { }

    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        var size = batch * Input.Size;
        TensorPrimitives.Max(input[..size], 0f, output[..size]);
    }

    /// <summary>The gradient passes where the unit was on and is zero where it was off.</summary>
    public void Backward(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> parameterGradient, int batch)
    {
        if (inputGradient.IsEmpty) return;
        var size = batch * Input.Size;
        var i = 0;
        for (; i + Vector<float>.Count <= size; i += Vector<float>.Count)
        {
            var on = Vector.GreaterThan(new Vector<float>(output[i..]), Vector<float>.Zero);
            Vector.ConditionalSelect(on, new Vector<float>(outputGradient[i..]), Vector<float>.Zero).CopyTo(inputGradient[i..]);
        }
        for (; i < size; i++)
            inputGradient[i] = output[i] > 0f ? outputGradient[i] : 0f;
    }
}
