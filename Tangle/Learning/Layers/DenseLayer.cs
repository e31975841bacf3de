using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlAspire.Tangle.Learning.Layers;

/// <summary>
/// A fully connected layer: weights (Outputs × Inputs, row-major), then biases (Outputs). Its input must be flat.
/// </summary>
internal sealed class DenseLayer : ILayer
{
    private readonly bool _feedsRelu;

    public DenseLayer(ActivationShape input, int outputs, bool feedsRelu)
    {
        if (!input.IsFlat) throw new ArgumentException($"dense needs a flat input but gets {input}: put flatten before it.");
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        Input = input;
        Output = ActivationShape.Flat(outputs);
        WeightCount = checked(outputs * input.Size);
        ParameterCount = checked(WeightCount + outputs);
        _feedsRelu = feedsRelu;
    }

    public ActivationShape Input { get; }
    public ActivationShape Output { get; }
    public int ParameterCount { get; }
    public int WeightCount { get; }
    public long ForwardMultiplyAdds => WeightCount;

    /// <summary>He-uniform when a ReLU follows, Xavier-uniform otherwise (into the softmax); zero biases.</summary>
    public void Initialize(Span<float> parameters, Random random)
    {
        Initialization.FillUniform(
            parameters[..WeightCount], _feedsRelu ? Math.Sqrt(6.0 / Input.Size) : Math.Sqrt(6.0 / (Input.Size + Output.Size)), random);
        parameters[WeightCount..].Clear();
    }

    /// <summary>
    /// Batches as large as a training step's go through the packed matrix product; the few samples of a peer's test set,
    /// evaluated hundreds of times a step, through <see cref="ForwardRows"/>, which packs nothing.
    /// </summary>
    private const int MatrixProductRows = 16;

    public void Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        var weights = parameters[..WeightCount];
        var biases = parameters[WeightCount..];
        if (batch < MatrixProductRows)
        {
            ForwardRows(weights, biases, input, batch, output);
            return;
        }
        // Y = X·Wᵀ + b, each row starting at the biases.
        for (var s = 0; s < batch; s++) biases.CopyTo(output.Slice(s * Output.Size, Output.Size));
        Gemm.MultiplyTransposedB(input, weights, output, batch, Input.Size, Output.Size, accumulate: true);
    }

    /// <summary>∂W += ∂Yᵀ·X, ∂b += the column sums of ∂Y, and ∂X = ∂Y·W: two matrix products over the batch.</summary>
    public void Backward(
        ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> parameterGradient, int batch)
    {
        int inputs = Input.Size, outputs = Output.Size;
        Gemm.MultiplyTransposedA(outputGradient, input, parameterGradient[..WeightCount], outputs, batch, inputs, accumulate: true);
        var biasGradient = parameterGradient[WeightCount..];
        for (var s = 0; s < batch; s++)
            TensorPrimitives.Add(biasGradient, outputGradient.Slice(s * outputs, outputs), biasGradient);
        if (!inputGradient.IsEmpty)
            Gemm.Multiply(outputGradient, parameters[..WeightCount], inputGradient, batch, outputs, inputs, accumulate: false);
    }

    /// <summary>output = W·x + b.</summary>
    internal static void Forward(ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> x, Span<float> output)
    {
        var inputs = x.Length;
        for (var o = 0; o < biases.Length; o++)
            output[o] = TensorPrimitives.Dot(weights.Slice(o * inputs, inputs), x) + biases[o];
    }

    /// <summary>
    /// Row r of <paramref name="outputs"/> = W·(row r of <paramref name="inputs"/>) + b, for <paramref name="rows"/>
    /// contiguous rows. Four input rows meet two weight rows at a time: eight independent sums keep both FMA pipes
    /// busy through the FMA's four-cycle latency (four sums left one pipe idle), and six loads feed eight
    /// multiply-adds (a dot product alone loads two per one).
    /// </summary>
    internal static void ForwardRows(ReadOnlySpan<float> weights, ReadOnlySpan<float> biases, ReadOnlySpan<float> inputs, int rows, Span<float> outputs)
    {
        var outputCount = biases.Length;
        var n = weights.Length / outputCount;
        if (weights.Length != n * outputCount || inputs.Length < rows * n || outputs.Length < rows * outputCount)
            throw new ArgumentException($"Shapes disagree: {weights.Length} weights for {outputCount} outputs, {inputs.Length} inputs and {outputs.Length} outputs for {rows} rows.");
        Span<float> sums = stackalloc float[8];
        var r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            var x = inputs.Slice(r * n, 4 * n);
            var o = 0;
            for (; o + 2 <= outputCount; o += 2)
            {
                Dot4x2(weights.Slice(o * n, 2 * n), x, n, sums);
                for (var k = 0; k < 4; k++)
                {
                    outputs[(r + k) * outputCount + o] = sums[k] + biases[o];
                    outputs[(r + k) * outputCount + o + 1] = sums[4 + k] + biases[o + 1];
                }
            }
            if (o < outputCount)
                for (var k = 0; k < 4; k++)
                    outputs[(r + k) * outputCount + o] = TensorPrimitives.Dot(weights.Slice(o * n, n), x.Slice(k * n, n)) + biases[o];
        }
        for (; r < rows; r++)
            Forward(weights, biases, inputs.Slice(r * n, n), outputs.Slice(r * outputCount, outputCount));
    }

    /// <summary>
    /// sums[k] = w_0 · x_k and sums[4 + k] = w_1 · x_k, for the two consecutive weight rows w_0, w_1 in
    /// <paramref name="w"/> and the four consecutive input rows x_0..x_3 in <paramref name="x"/>, each of length n.
    /// </summary>
    private static void Dot4x2(ReadOnlySpan<float> w, ReadOnlySpan<float> x, int n, Span<float> sums)
    {
        var width = Vector<float>.Count;
        var whole = n - n % width;
        // The caller's shape check bounds every offset below (w holds 2n floats, x holds 4n).
        ref var w0 = ref MemoryMarshal.GetReference(w);
        ref var w1 = ref Unsafe.Add(ref w0, n);
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var x1 = ref Unsafe.Add(ref x0, n);
        ref var x2 = ref Unsafe.Add(ref x0, 2 * n);
        ref var x3 = ref Unsafe.Add(ref x0, 3 * n);
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector<float> b0 = default, b1 = default, b2 = default, b3 = default;
        for (var i = 0; i < whole; i += width)
        {
            var offset = (nuint)i;
            var u = Vector.LoadUnsafe(ref w0, offset);
            var v = Vector.LoadUnsafe(ref w1, offset);
            var p = Vector.LoadUnsafe(ref x0, offset);
            a0 = Vector.FusedMultiplyAdd(u, p, a0);
            b0 = Vector.FusedMultiplyAdd(v, p, b0);
            p = Vector.LoadUnsafe(ref x1, offset);
            a1 = Vector.FusedMultiplyAdd(u, p, a1);
            b1 = Vector.FusedMultiplyAdd(v, p, b1);
            p = Vector.LoadUnsafe(ref x2, offset);
            a2 = Vector.FusedMultiplyAdd(u, p, a2);
            b2 = Vector.FusedMultiplyAdd(v, p, b2);
            p = Vector.LoadUnsafe(ref x3, offset);
            a3 = Vector.FusedMultiplyAdd(u, p, a3);
            b3 = Vector.FusedMultiplyAdd(v, p, b3);
        }
        sums[0] = Vector.Sum(a0); sums[1] = Vector.Sum(a1); sums[2] = Vector.Sum(a2); sums[3] = Vector.Sum(a3);
        sums[4] = Vector.Sum(b0); sums[5] = Vector.Sum(b1); sums[6] = Vector.Sum(b2); sums[7] = Vector.Sum(b3);
        for (var i = whole; i < n; i++)
            for (var k = 0; k < 4; k++)
            {
                sums[k] += w[i] * x[k * n + i];
                sums[4 + k] += w[n + i] * x[k * n + i];
            }
    }
}
