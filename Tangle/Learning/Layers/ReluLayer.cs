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
        for (var i = 0; i < batch * Input.Size; i++)
            inputGradient[i] = output[i] > 0f ? outputGradient[i] : 0f;
    }
}
