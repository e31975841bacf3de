using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Tests.Learning;

public class GradientCheckTests
{
    [Theory]
    [InlineData("input:4, dense:3, softmax", 0)]
    [InlineData("input:4, dense:5, relu, dense:3, softmax", 0)]
    [InlineData("input:2x5x5, conv2d:3x3x2, flatten, dense:3, softmax", 0)]
    [InlineData("input:2x6x6, conv2d:3x3x3, relu, flatten, dense:3, softmax", 1)]
    [InlineData("input:2x6x6, conv2d:3x3x3, maxpool:2, flatten, dense:3, softmax", 0)]
    [InlineData("input:2x6x6, maxpool:2, flatten, dense:3, softmax", 0)]
    [InlineData("input:72, relu, dense:3, softmax", 0)]
    [InlineData("input:2x6x6, conv2d:3x3x3, relu, maxpool:2, flatten, dense:3, softmax", 3)]
    [InlineData("input:1x5x7, conv2d:3x5x2, maxpool:2, relu, conv2d:1x1x2, flatten, dense:4, relu, dense:3, softmax", 3)]
    public void One_full_batch_step_with_unit_learning_rate_subtracts_the_numerical_gradient(string description, int allowedMisses)
    {
        var random = new Random(11);
        var model = Models.Create(ModelShape.Parse(description));
        var data = SyntheticData.GaussianBlobs(9, model.Shape.Inputs, 3, 1.0, random);
        var parameters = model.Initialize(random).ToArray();
        // Nonzero biases too, so their gradients are checked against something non-trivial.
        for (var i = 0; i < parameters.Length; i++) parameters[i] += 0.2f * (float)Sampling.NextGaussian(random);

        // With one batch holding every sample, lr = 1 and no decay, a step is exactly θ − ∇ mean loss.
        var stepped = (float[])parameters.Clone();
        model.Train(stepped, data, new SgdOptions(Epochs: 1, BatchSize: data.Count, LearningRate: 1f), new Random(0));

        // A ReLU or max-pool kink within ±ε of a unit spoils the difference quotient at that ε, and float rounding of the
        // loss spoils it at too small an ε: a correct gradient matches it at one of three step sizes. Where a ReLU feeds a
        // max-pool, units at a kink (a window's two largest within ε, or a unit within ε of zero) are common enough that
        // a few parameters in a hundred miss at every step size; a wrong gradient misses for most of them. A ReLU after a
        // convolution puts one unit within 1e-3 of zero at this seed: on a CPU without 512-bit vectors the loss's float
        // rounding at the smallest ε then misses by 1e-4 too (parameter 23, on the machine of 2026-12-07).
        float[] epsilons = [1e-2f, 1e-3f, 3e-4f];
        var misses = new List<string>();
        for (var i = 0; i < parameters.Length; i++)
        {
            var analytic = (double)parameters[i] - stepped[i];
            var numerical = epsilons.Select(epsilon => Numerical(model, parameters, data, i, epsilon)).ToArray();
            if (!numerical.Any(n => Math.Abs(analytic - n) <= 3e-4 + 1e-2 * Math.Abs(n)))
                misses.Add($"parameter {i}: analytic {analytic}, numerical {string.Join(", ", numerical)} at ε = {string.Join(", ", epsilons)}");
        }
        Assert.True(misses.Count <= allowedMisses, $"{misses.Count} of {parameters.Length} parameters miss: {string.Join("; ", misses)}.");
    }

    private static double Numerical(IModel model, float[] parameters, Dataset data, int index, float epsilon)
    {
        var plus = (float[])parameters.Clone();
        plus[index] += epsilon;
        var minus = (float[])parameters.Clone();
        minus[index] -= epsilon;
        return (model.Evaluate(plus, data).Loss - model.Evaluate(minus, data).Loss) / (2 * epsilon);
    }

    [Theory]
    [InlineData("input:4, dense:3, softmax")]
    [InlineData("input:4, dense:5, relu, dense:3, softmax")]
    [InlineData("input:2x5x5, conv2d:3x3x2, flatten, dense:3, softmax")]
    [InlineData("input:2x6x6, conv2d:3x3x3, relu, flatten, dense:3, softmax")]
    [InlineData("input:2x6x6, conv2d:3x3x3, maxpool:2, flatten, dense:3, softmax")]
    [InlineData("input:2x6x6, maxpool:2, flatten, dense:3, softmax")]
    [InlineData("input:72, relu, dense:3, softmax")]
    [InlineData("input:2x6x6, conv2d:3x3x3, relu, maxpool:2, flatten, dense:3, softmax")]
    [InlineData("input:1x5x7, conv2d:3x5x2, maxpool:2, relu, conv2d:1x1x2, flatten, dense:4, relu, dense:3, softmax")]
    public void Weight_decay_shrinks_weight_matrices_but_not_biases(string description)
    {
        var random = new Random(5);
        var model = Models.Create(ModelShape.Parse(description));
        var data = SyntheticData.GaussianBlobs(9, model.Shape.Inputs, 3, 1.0, random);
        var parameters = model.Initialize(random).ToArray();
        for (var i = 0; i < parameters.Length; i++) parameters[i] += 0.2f;

        var plain = (float[])parameters.Clone();
        model.Train(plain, data, new SgdOptions(1, data.Count, 0.5f), new Random(0));
        var decayed = (float[])parameters.Clone();
        model.Train(decayed, data, new SgdOptions(1, data.Count, 0.5f, WeightDecay: 0.1f), new Random(0));

        var biases = BiasIndices(model.Shape);
        for (var i = 0; i < parameters.Length; i++)
        {
            var expected = biases.Contains(i) ? plain[i] : plain[i] - 0.5f * 0.1f * parameters[i];
            Assert.Equal(expected, decayed[i], 1e-5f);
        }
    }

    private static HashSet<int> BiasIndices(ModelShape shape) =>
        [.. shape.Placements.SelectMany(l => Enumerable.Range(l.ParameterOffset + l.WeightCount, l.ParameterCount - l.WeightCount))];
}
