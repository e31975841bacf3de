using System.Buffers;
using System.Numerics.Tensors;

namespace MlAspire.Tangle.Learning.Layers;

/// <summary>
/// A 2-D convolution with stride 1 and "same" zero padding: filters × height × width out of channels × height × width.
/// Parameters are the weights, filters × (channels·kernelHeight·kernelWidth) row-major (filter, then channel, then
/// kernel row, then kernel column), then one bias per filter. Each sample is one matrix product of the weights with
/// the sample's patch matrix (<see cref="Im2Col"/>); the patch matrix lives in pooled scratch, so the layer stays stateless.
/// </summary>
internal sealed class Conv2dLayer : ILayer
{
    private readonly Im2Col patches;
    private readonly int filters;

    public Conv2dLayer(ActivationShape input, int kernelHeight, int kernelWidth, int filters)
    {
        if (input.Channels < 1 || input.Height < 1 || input.Width < 1)
            throw new ArgumentException($"Input {input} has an empty dimension.", nameof(input));
        // Odd kernels have a centre, so "same" padding is the same on both sides.
        if (kernelHeight < 1 || kernelWidth < 1 || kernelHeight % 2 == 0 || kernelWidth % 2 == 0)
            throw new ArgumentException($"Kernel {kernelHeight}x{kernelWidth} must have odd, positive sides for same padding.");
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        // A kernel wider than the image only ever meets padding with its outer weights.
        if (kernelHeight > input.Height || kernelWidth > input.Width)
            throw new ArgumentException($"Kernel {kernelHeight}x{kernelWidth} is larger than the {input.Height}x{input.Width} image.");
        patches = new Im2Col(input, kernelHeight, kernelWidth);
        // The patch matrix is scratch of every call: bounded like an activation, and overflowing here, not in training.
        if (patches.Size > ActivationShape.MaxSize)
            throw new ArgumentException($"Its patch matrix would hold {patches.Size:N0} values, more than {ActivationShape.MaxSize:N0}.");
        this.filters = filters;
        WeightCount = checked(filters * patches.Rows);
        ParameterCount = checked(WeightCount + filters);
    }

    public ActivationShape Input => patches.Image;

    public ActivationShape Output => new(filters, Input.Height, Input.Width);

    public int ParameterCount { get; }

    public int WeightCount { get; }

    public long ForwardMultiplyAdds => (long)WeightCount * patches.Pixels;

    /// <summary>He-uniform weights: U(±√(6 / fan-in)) keeps the activation variance steady through ReLUs.</summary>
    public void Initialize(Span<float> parameters, Random random)
    {
        CheckLength(parameters.Length, ParameterCount, nameof(parameters));
        Initialization.FillUniform(parameters[..WeightCount], Math.Sqrt(6.0 / patches.Rows), random);
        parameters[WeightCount..].Clear();
    }

    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        CheckShapes(parameters.Length, input.Length, output.Length, batch);
        var weights = parameters[..WeightCount];
        var biases = parameters.Slice(WeightCount, filters);
        var pixels = patches.Pixels;
        var columns = ArrayPool<float>.Shared.Rent(patches.Size);
        try
        {
            for (var s = 0; s < batch; s++)
            {
                patches.Expand(input.Slice(s * Input.Size, Input.Size), columns);
                var sample = output.Slice(s * Output.Size, Output.Size);
                // Start each filter's plane at its bias and let the product add onto it.
                for (var f = 0; f < filters; f++)
                    sample.Slice(f * pixels, pixels).Fill(biases[f]);
                Gemm.Multiply(weights, columns, sample, filters, patches.Rows, pixels, accumulate: true);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(columns);
        }
    }

    public void Backward(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> parameterGradient, int batch)
    {
        CheckShapes(parameters.Length, input.Length, output.Length, batch);
        CheckLength(outputGradient.Length, batch * Output.Size, nameof(outputGradient));
        CheckLength(parameterGradient.Length, ParameterCount, nameof(parameterGradient));
        var needsInputGradient = !inputGradient.IsEmpty;
        if (needsInputGradient) CheckLength(inputGradient.Length, batch * Input.Size, nameof(inputGradient));
        var weights = parameters[..WeightCount];
        var weightGradient = parameterGradient[..WeightCount];
        var biasGradient = parameterGradient.Slice(WeightCount, filters);
        var (rows, pixels) = (patches.Rows, patches.Pixels);
        var columns = ArrayPool<float>.Shared.Rent(patches.Size);
        var columnGradient = needsInputGradient ? ArrayPool<float>.Shared.Rent(patches.Size) : [];
        try
        {
            for (var s = 0; s < batch; s++)
            {
                var gradient = outputGradient.Slice(s * Output.Size, Output.Size);
                // ∂W += ∂Y · patchesᵀ: the patch matrix is rebuilt rather than kept from Forward, which keeps no state.
                patches.Expand(input.Slice(s * Input.Size, Input.Size), columns);
                Gemm.MultiplyTransposedB(gradient, columns, weightGradient, filters, pixels, rows, accumulate: true);
                for (var f = 0; f < filters; f++)
                    biasGradient[f] += TensorPrimitives.Sum(gradient.Slice(f * pixels, pixels));
                if (!needsInputGradient) continue;
                // ∂patches = Wᵀ · ∂Y, folded back onto the pixels each patch entry came from.
                Gemm.MultiplyTransposedA(weights, gradient, columnGradient, rows, filters, pixels, accumulate: false);
                var sampleGradient = inputGradient.Slice(s * Input.Size, Input.Size);
                sampleGradient.Clear();
                patches.FoldAdd(columnGradient.AsSpan(0, patches.Size), sampleGradient);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(columns);
            if (needsInputGradient) ArrayPool<float>.Shared.Return(columnGradient);
        }
    }

    private void CheckShapes(int parameters, int input, int output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        CheckLength(parameters, ParameterCount, nameof(parameters));
        CheckLength(input, batch * Input.Size, nameof(input));
        CheckLength(output, batch * Output.Size, nameof(output));
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"Expected {expected} floats, got {actual}.", name);
    }
}
