using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Tests.Learning;

public class WeightPrecisionTests
{
    [Fact]
    public void Float16_rounds_each_weight_to_the_nearest_half_and_saturates_instead_of_overflowing()
    {
        var shape = ModelShape.LogisticRegression(2, 2);
        var weights = new ModelWeights(shape, [1f / 3, 1e6f, -1e6f, 2049f, 0.5f, -0f]);

        var sent = weights.Transported(WeightPrecision.Float16).Values.ToArray();

        Assert.Equal([0.333251953125f, 65504f, -65504f, 2048f, 0.5f, -0f], sent); // 2049 has no half: ties to even, 2048
        Assert.Same(weights, weights.Transported(WeightPrecision.Float32));
    }
}
