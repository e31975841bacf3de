namespace MlAspire.Tangle.Learning.Layers;

/// <summary>Channels × height × width as one flat vector, in storage order: what a dense layer after a convolution takes.</summary>
internal sealed class FlattenLayer(ActivationShape input) : ILayer
{
    public ActivationShape Input { get; } = input;
    public ActivationShape Output => ActivationShape.Flat(Input.Size);
    public int ParameterCount => 0;
    public int WeightCount => 0;
    public long ForwardMultiplyAdds => 0;

    public void Initialize(Span<float> parameters, Random random) { }

    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, Span<float> output, int batch) =>
        input[..(batch * Input.Size)].CopyTo(output);

    public void Backward(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> parameterGradient, int batch)
    {
        if (!inputGradient.IsEmpty) outputGradient[..(batch * Input.Size)].CopyTo(inputGradient);
    }
}
