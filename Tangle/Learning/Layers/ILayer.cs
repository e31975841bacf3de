namespace MlAspire.Tangle.Learning.Layers;

/// <summary>
/// One layer of a sequential model, bound to the shape of its input. Layers hold no parameters or
/// activations, so one instance serves every peer and thread: <c>parameters</c> is this layer's slice of the model's
/// flat parameters, and activations are batch-major (sample s occupies <c>[s·Size, (s+1)·Size)</c> of its span).
/// </summary>
internal interface ILayer
{
    ActivationShape Input { get; }

    ActivationShape Output { get; }

    int ParameterCount { get; }

    /// <summary>The leading parameters that weight decay shrinks: the weights, not the biases after them.</summary>
    int WeightCount { get; }

    /// <summary>Multiply-adds of one sample's forward pass, for throughput figures in FLOP/s.</summary>
    long ForwardMultiplyAdds { get; }

    /// <summary>Fresh parameters drawn from <paramref name="random"/>; biases start at zero.</summary>
    void Initialize(Span<float> parameters, Random random);

    void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, Span<float> output, int batch);

    /// <summary>
    /// Given ∂loss/∂output, writes ∂loss/∂input into <paramref name="inputGradient"/> unless it is empty (nothing
    /// needs it before the first layer) and adds ∂loss/∂parameters, summed over the batch, to <paramref name="parameterGradient"/>.
    /// <paramref name="input"/> and <paramref name="output"/> are what <see cref="Forward"/> read and wrote.
    /// </summary>
    void Backward(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> parameterGradient, int batch);
}
