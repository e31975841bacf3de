using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        int planeSize = Input.Height * Input.Width, outputPlaneSize = Output.Height * Output.Width;
        var winners = ArrayPool<int>.Shared.Rent(outputPlaneSize);
        try
        {
            for (var plane = 0; plane < batch * Input.Channels; plane++)
            {
                var source = input.Slice(plane * planeSize, planeSize);
                var target = output.Slice(plane * outputPlaneSize, outputPlaneSize);
                FindWinners(source, winners);
                for (var o = 0; o < target.Length; o++) target[o] = source[winners[o]];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(winners);
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
        int planeSize = Input.Height * Input.Width, outputPlaneSize = Output.Height * Output.Width;
        var winners = ArrayPool<int>.Shared.Rent(outputPlaneSize);
        try
        {
            for (var plane = 0; plane < batch * Input.Channels; plane++)
            {
                FindWinners(input.Slice(plane * planeSize, planeSize), winners);
                var target = inputGradient.Slice(plane * planeSize, planeSize);
                var gradient = outputGradient.Slice(plane * outputPlaneSize, outputPlaneSize);
                for (var o = 0; o < gradient.Length; o++) target[winners[o]] = gradient[o];
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(winners);
        }
    }

    /// <summary>
    /// winners[o] = the index in <paramref name="plane"/> of window o's first largest element, scanning row by row:
    /// what Forward copies out and Backward routes the gradient to.
    /// </summary>
    private void FindWinners(ReadOnlySpan<float> plane, int[] winners)
    {
        int width = Input.Width, outputHeight = Input.Height / size, outputWidth = Input.Width / size;
        // Runs for every output of every pooling layer of every step; the shape checks made every index valid.
        ref var first = ref MemoryMarshal.GetReference(plane);
        ref var winner = ref MemoryMarshal.GetArrayDataReference(winners);
        for (var y = 0; y < outputHeight; y++)
            for (var x = 0; x < outputWidth; x++)
            {
                var best = y * size * width + x * size;
                var max = Unsafe.Add(ref first, best);
                for (var i = 0; i < size; i++)
                {
                    var row = (y * size + i) * width + x * size;
                    for (var j = 0; j < size; j++)
                    {
                        // Without a branch: which element wins is a coin toss the predictor loses (it cost 3× the time).
                        // The comparison as a 0/1 byte is a setcc, and NaN compares false on every platform; once the
                        // running maximum is NaN (MathF.Max propagates it) no later element wins, the same everywhere.
                        var value = Unsafe.Add(ref first, row + j);
                        int greater = Unsafe.BitCast<bool, byte>(value > max);
                        best += greater * (row + j - best);
                        max = MathF.Max(max, value);
                    }
                }
                Unsafe.Add(ref winner, y * outputWidth + x) = best;
            }
    }

    private void CheckShapes(int input, int output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input != batch * Input.Size || output != batch * Output.Size)
            throw new ArgumentException($"Expected {batch * Input.Size} inputs and {batch * Output.Size} outputs, got {input} and {output}.");
    }
}
