namespace MlAspire.Tangle.Learning.Layers;

/// <summary>
/// Max pooling over non-overlapping size × size windows (stride = size): channels × ⌊height/size⌋ × ⌊width/size⌋;
/// rows and columns past the last whole window are dropped. No parameters. Backward finds each window's maximum
/// again from the input, by the same scan as Forward, so the layer keeps no argmax between the passes.
/// </summary>
internal sealed class MaxPoolLayer : ILayer
{
    private readonly int size;

    public MaxPoolLayer(ActivationShape input, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (input.Channels < 1 || input.Height < size || input.Width < size)
            throw new ArgumentException($"Input {input} holds no whole {size}x{size} window.", nameof(input));
        Input = input;
        this.size = size;
    }

    public ActivationShape Input { get; }

    public ActivationShape Output => new(Input.Channels, Input.Height / size, Input.Width / size);

    public int ParameterCount => 0;

    public int WeightCount => 0;

    /// <summary>Comparisons, not multiply-adds: nothing to count.</summary>
    public long ForwardMultiplyAdds => 0;

    public void Initialize(Span<float> parameters, Random random)
    {
    }

    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        CheckShapes(input.Length, output.Length, batch);
        var outputWidth = Output.Width;
        for (var plane = 0; plane < batch * Input.Channels; plane++)
        {
            var source = input.Slice(plane * Input.Height * Input.Width, Input.Height * Input.Width);
            for (var y = 0; y < Output.Height; y++)
                for (var x = 0; x < outputWidth; x++)
                    output[(plane * Output.Height + y) * outputWidth + x] = source[ArgMax(source, y, x)];
        }
    }

    /// <summary>Each window's output gradient goes to its first maximal element; the rest of the window gets zero.</summary>
    public void Backward(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> parameterGradient, int batch)
    {
        CheckShapes(input.Length, output.Length, batch);
        if (outputGradient.Length != output.Length)
            throw new ArgumentException($"Expected {output.Length} floats, got {outputGradient.Length}.", nameof(outputGradient));
        if (inputGradient.IsEmpty) return;
        if (inputGradient.Length != input.Length)
            throw new ArgumentException($"Expected {input.Length} floats, got {inputGradient.Length}.", nameof(inputGradient));
        inputGradient.Clear();
        var planeSize = Input.Height * Input.Width;
        for (var plane = 0; plane < batch * Input.Channels; plane++)
        {
            var source = input.Slice(plane * planeSize, planeSize);
            var target = inputGradient.Slice(plane * planeSize, planeSize);
            for (var y = 0; y < Output.Height; y++)
                for (var x = 0; x < Output.Width; x++)
                    target[ArgMax(source, y, x)] = outputGradient[(plane * Output.Height + y) * Output.Width + x];
        }
    }

    /// <summary>Index in <paramref name="plane"/> of the first largest element of window (y, x), scanning row by row.</summary>
    private int ArgMax(ReadOnlySpan<float> plane, int y, int x)
    {
        var width = Input.Width;
        var best = y * size * width + x * size;
        for (var i = 0; i < size; i++)
        {
            var row = (y * size + i) * width + x * size;
            for (var j = 0; j < size; j++)
                if (plane[row + j] > plane[best]) best = row + j;
        }
        return best;
    }

    private void CheckShapes(int input, int output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input != batch * Input.Size || output != batch * Output.Size)
            throw new ArgumentException($"Expected {batch * Input.Size} inputs and {batch * Output.Size} outputs, got {input} and {output}.");
    }
}
