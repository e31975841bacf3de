using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Tests.Data;

public class SamplingTests
{
    [Fact]
    public void Gaussian_draws_have_mean_zero_and_unit_variance()
    {
        var random = new Random(1);
        var draws = Enumerable.Range(0, 50_000).Select(_ => Sampling.NextGaussian(random)).ToArray();

        Assert.InRange(draws.Average(), -0.02, 0.02);
        Assert.InRange(draws.Average(x => x * x), 0.97, 1.03);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(1.0)]
    [InlineData(4.5)]
    public void Gamma_draws_have_mean_and_variance_equal_to_the_shape(double shape)
    {
        var random = new Random(2);
        var draws = Enumerable.Range(0, 50_000).Select(_ => Sampling.NextGamma(shape, random)).ToArray();

        var mean = draws.Average();
        var variance = draws.Average(x => (x - mean) * (x - mean));
        Assert.InRange(mean, shape * 0.97, shape * 1.03);
        Assert.InRange(variance, shape * 0.9, shape * 1.1);
        Assert.All(draws, x => Assert.True(x >= 0));
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.5)]
    [InlineData(100)]
    public void Dirichlet_draws_are_probability_vectors_even_for_tiny_alpha(double alpha)
    {
        var random = new Random(3);
        var draw = new double[10];
        for (var i = 0; i < 100; i++)
        {
            Sampling.NextDirichlet(alpha, draw, random);
            Assert.All(draw, p => Assert.InRange(p, 0, 1));
            Assert.Equal(1, draw.Sum(), 9);
        }
    }

    [Fact]
    public void Gamma_rejects_a_non_positive_shape()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.NextGamma(0, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.NextGamma(double.NaN, new Random(0)));
    }
}
