using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Layers;

namespace MlAspire.Tangle.Tests.Learning;

public class ConvolutionLayerTests
{
    [Theory]
    [InlineData(3, 3)]
    [InlineData(5, 5)]
    [InlineData(3, 5)] // unequal sides catch a kernel row read as a kernel column
    public void Conv2d_forward_equals_a_direct_convolution_with_zero_padding(int kernelHeight, int kernelWidth)
    {
        var random = new Random(kernelHeight * 10 + kernelWidth);
        var input = new ActivationShape(3, 7, 6);
        const int filters = 4, batch = 2;
        var layer = new Conv2dLayer(input, kernelHeight, kernelWidth, filters);
        var parameters = Fill(layer.ParameterCount, random); // nonzero biases, unlike Initialize
        var x = Fill(batch * input.Size, random);
        var output = new float[batch * layer.Output.Size];

        layer.Forward(parameters, x, output, batch);

        var (ph, pw) = (kernelHeight / 2, kernelWidth / 2);
        var channels = input.Channels;
        for (var s = 0; s < batch; s++)
            for (var f = 0; f < filters; f++)
                for (var y = 0; y < input.Height; y++)
                    for (var col = 0; col < input.Width; col++)
                    {
                        double sum = parameters[layer.WeightCount + f];
                        for (var c = 0; c < channels; c++)
                            for (var i = 0; i < kernelHeight; i++)
                                for (var j = 0; j < kernelWidth; j++)
                                {
                                    var (sy, sx) = (y + i - ph, col + j - pw);
                                    if (sy < 0 || sy >= input.Height || sx < 0 || sx >= input.Width) continue;
                                    var weight = parameters[((f * channels + c) * kernelHeight + i) * kernelWidth + j];
                                    sum += weight * x[((s * channels + c) * input.Height + sy) * input.Width + sx];
                                }
                        var actual = output[((s * filters + f) * input.Height + y) * input.Width + col];
                        Assert.True(Math.Abs(actual - sum) <= 1e-4 * (1 + Math.Abs(sum)), $"Sample {s}, filter {f}, ({y}, {col}): {actual} against {sum}.");
                    }
    }

    [Fact]
    public void Conv2d_gradients_match_central_differences()
    {
        var random = new Random(3);
        var layer = new Conv2dLayer(new ActivationShape(2, 4, 5), 3, 5, 3);
        AssertGradientsMatchCentralDifferences(layer, Fill(layer.ParameterCount, random), Fill(2 * layer.Input.Size, random), random);
    }

    [Fact]
    public void Max_pool_gradients_match_central_differences()
    {
        var random = new Random(4);
        var layer = new MaxPoolLayer(new ActivationShape(3, 5, 6), 2); // the fifth row lies outside every window
        // Distinct values 0.05 apart: a ±0.01 step never changes which element of a window is largest.
        var input = Enumerable.Range(0, 2 * layer.Input.Size).Select(i => 0.05f * i).OrderBy(_ => random.Next()).ToArray();
        AssertGradientsMatchCentralDifferences(layer, [], input, random);
    }

    [Fact]
    public void Max_pool_forward_keeps_the_largest_of_each_window()
    {
        var layer = new MaxPoolLayer(new ActivationShape(1, 4, 4), 2);
        float[] input =
        [
            1, 5, -2, 0,
            3, 2, -1, -3,
            7, 7, 4, 9,
            0, -8, 9, 1,
        ];
        var output = new float[4];
        layer.Forward([], input, output, 1);
        Assert.Equal([5f, 0f, 7f, 9f], output);
    }

    [Fact]
    public void Max_pool_sends_a_tied_window_gradient_to_its_first_maximum_only()
    {
        var layer = new MaxPoolLayer(new ActivationShape(1, 2, 2), 2);
        float[] input = [1, 3, 3, 2];
        var output = new float[1];
        layer.Forward([], input, output, 1);
        var inputGradient = new float[4];
        layer.Backward([], input, output, [2f], inputGradient, [], 1);
        Assert.Equal([0f, 2f, 0f, 0f], inputGradient);
    }

    [Fact]
    public void Shapes_and_counts_follow_the_layer_description()
    {
        var conv = new Conv2dLayer(new ActivationShape(32, 14, 14), 5, 5, 64);
        Assert.Equal(new ActivationShape(64, 14, 14), conv.Output);
        Assert.Equal(64 * 32 * 25, conv.WeightCount);
        Assert.Equal(64 * 32 * 25 + 64, conv.ParameterCount);
        Assert.Equal(64L * 32 * 25 * 14 * 14, conv.ForwardMultiplyAdds);
        var pool = new MaxPoolLayer(new ActivationShape(64, 15, 14), 2);
        Assert.Equal(new ActivationShape(64, 7, 7), pool.Output);
        Assert.Equal(0, pool.ParameterCount);
    }

    [Fact]
    public void Conv2d_initialization_is_he_uniform_with_zero_biases()
    {
        var layer = new Conv2dLayer(new ActivationShape(2, 4, 4), 3, 3, 8);
        var parameters = new float[layer.ParameterCount];
        parameters.AsSpan().Fill(1f);
        layer.Initialize(parameters, new Random(1));
        var limit = Math.Sqrt(6.0 / (2 * 3 * 3));
        var weights = parameters[..layer.WeightCount];
        Assert.All(weights, w => Assert.InRange(w, -limit, limit));
        Assert.True(weights.Max() > 0.8 * limit && weights.Min() < -0.8 * limit, "Weights should span the He-uniform range.");
        Assert.All(parameters[layer.WeightCount..], b => Assert.Equal(0f, b));
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    [InlineData(0, 3)]
    public void Conv2d_rejects_kernels_without_a_centre(int kernelHeight, int kernelWidth) =>
        Assert.Throws<ArgumentException>(() => new Conv2dLayer(new ActivationShape(1, 8, 8), kernelHeight, kernelWidth, 4));

    [Theory]
    [InlineData(1, 3)]
    [InlineData(3, 1)]
    public void Max_pool_rejects_inputs_smaller_than_one_window(int height, int width) =>
        Assert.Throws<ArgumentException>(() => new MaxPoolLayer(new ActivationShape(2, height, width), 2));

    /// <summary>
    /// For L = Σ r·output with fixed random r, ∂L/∂output = r: Backward's gradients must match central differences of L.
    /// Parameter gradients are checked as increments, since Backward adds to what the span already holds.
    /// </summary>
    private static void AssertGradientsMatchCentralDifferences(ILayer layer, float[] parameters, float[] input, Random random)
    {
        const int batch = 2;
        const float epsilon = 1e-2f;
        var weights = Fill(batch * layer.Output.Size, random);
        var output = new float[weights.Length];
        double Loss(float[] p, float[] x)
        {
            layer.Forward(p, x, output, batch);
            return output.Select((o, i) => (double)o * weights[i]).Sum();
        }
        double Numerical(float[] values, int i, Func<double> loss)
        {
            var original = values[i];
            values[i] = original + epsilon;
            var plus = loss();
            values[i] = original - epsilon;
            var minus = loss();
            values[i] = original;
            return (plus - minus) / (2 * epsilon);
        }

        layer.Forward(parameters, input, output, batch);
        // Backward writes the input gradient rather than adding to it: stale contents must not survive.
        var inputGradient = Enumerable.Repeat(float.NaN, input.Length).ToArray();
        var prior = Fill(parameters.Length, random);
        var parameterGradient = (float[])prior.Clone();
        layer.Backward(parameters, input, output, weights, inputGradient, parameterGradient, batch);

        for (var i = 0; i < input.Length; i++)
            AssertClose(Numerical(input, i, () => Loss(parameters, input)), inputGradient[i], $"input {i}");
        for (var i = 0; i < parameters.Length; i++)
            AssertClose(Numerical(parameters, i, () => Loss(parameters, input)), parameterGradient[i] - prior[i], $"parameter {i}");
    }

    private static void AssertClose(double numerical, double analytic, string what) =>
        Assert.True(Math.Abs(analytic - numerical) <= 1e-3 + 1e-2 * Math.Abs(numerical), $"{what}: analytic {analytic}, numerical {numerical}.");

    private static float[] Fill(int count, Random random) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
}
