using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Tests.Learning;

public class ModelAveragingTests
{
    private static readonly ModelShape Shape = ModelShape.LogisticRegression(1, 2);

    private static ModelWeights Weights(params float[] values) => new(Shape, values);

    [Fact]
    public void Without_coefficients_every_model_counts_equally()
    {
        var average = ModelAveraging.Average([Weights(1, 2, 3, 4), Weights(3, 4, 5, 6)]);

        Assert.Equal(Shape, average.Shape);
        Assert.Equal([2f, 3f, 4f, 5f], average.Values.ToArray());
    }

    [Fact]
    public void Coefficients_are_normalized()
    {
        ModelWeights[] weights = [Weights(0, 4, 8, -4), Weights(4, 8, 0, 4)];

        var average = ModelAveraging.Average(weights, [2, 6]);

        Assert.Equal([3f, 7f, 2f, 2f], average.Values.ToArray());
        Assert.Equal(average.Values.ToArray(), ModelAveraging.Average(weights, [0.25, 0.75]).Values.ToArray());
    }

    [Fact]
    public void Averaging_one_model_returns_its_values()
    {
        Assert.Equal([1.5f, -2f, 0f, 7f], ModelAveraging.Average([Weights(1.5f, -2, 0, 7)]).Values.ToArray());
    }

    [Fact]
    public void Different_shapes_are_rejected_naming_both()
    {
        var other = new ModelWeights(ModelShape.LogisticRegression(1, 3), new float[6]);

        var error = Assert.Throws<InvalidWeightsException>(() => ModelAveraging.Average([Weights(1, 2, 3, 4), other]));

        Assert.Contains("different shapes", error.Message);
        Assert.Contains("input:1, dense:3, softmax", error.Message);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ModelAveraging.Average([]));
        Assert.Throws<ArgumentException>(() => ModelAveraging.Average([Weights(1, 2, 3, 4)], [1, 2]));
        Assert.Throws<ArgumentException>(() => ModelAveraging.Average([Weights(1, 2, 3, 4), Weights(1, 2, 3, 4)], [1, -1]));
        Assert.Throws<ArgumentException>(() => ModelAveraging.Average([Weights(1, 2, 3, 4), Weights(1, 2, 3, 4)], [0, 0]));
        Assert.Throws<ArgumentException>(() => ModelAveraging.Average([Weights(1, 2, 3, 4)], [double.NaN]));
    }
}
