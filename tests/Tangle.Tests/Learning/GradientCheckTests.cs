using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Tests.Learning;

public class GradientCheckTests
{
    [Theory]
    [InlineData(ModelArchitecture.LogisticRegression)]
    [InlineData(ModelArchitecture.Mlp)]
    public void One_full_batch_step_with_unit_learning_rate_subtracts_the_numerical_gradient(ModelArchitecture architecture)
    {
        var random = new Random(11);
        var model = Models.Create(new ModelShape(architecture, 4, architecture == ModelArchitecture.Mlp ? 5 : 0, 3));
        var data = SyntheticData.GaussianBlobs(9, 4, 3, 1.0, random);
        var parameters = model.Initialize(random).ToArray();
        // Nonzero biases too, so their gradients are checked against something non-trivial.
        for (var i = 0; i < parameters.Length; i++) parameters[i] += 0.2f * (float)Sampling.NextGaussian(random);

        // With one batch holding every sample, lr = 1 and no decay, a step is exactly θ − ∇ mean loss.
        var stepped = (float[])parameters.Clone();
        model.Train(stepped, data, new SgdOptions(Epochs: 1, BatchSize: data.Count, LearningRate: 1f), new Random(0));

        const float epsilon = 1e-2f;
        for (var i = 0; i < parameters.Length; i++)
        {
            var analytic = (double)parameters[i] - stepped[i];
            var plus = (float[])parameters.Clone();
            plus[i] += epsilon;
            var minus = (float[])parameters.Clone();
            minus[i] -= epsilon;
            var numerical = (model.Evaluate(plus, data).Loss - model.Evaluate(minus, data).Loss) / (2 * epsilon);
            Assert.True(Math.Abs(analytic - numerical) <= 1e-4 + 1e-3 * Math.Abs(numerical),
                $"Parameter {i}: analytic {analytic}, numerical {numerical}.");
        }
    }

    [Theory]
    [InlineData(ModelArchitecture.LogisticRegression)]
    [InlineData(ModelArchitecture.Mlp)]
    public void Weight_decay_shrinks_weight_matrices_but_not_biases(ModelArchitecture architecture)
    {
        var random = new Random(5);
        var model = Models.Create(new ModelShape(architecture, 4, architecture == ModelArchitecture.Mlp ? 5 : 0, 3));
        var data = SyntheticData.GaussianBlobs(9, 4, 3, 1.0, random);
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

    private static HashSet<int> BiasIndices(ModelShape shape) => shape.Architecture switch
    {
        ModelArchitecture.LogisticRegression => [.. Enumerable.Range(shape.Inputs * shape.Classes, shape.Classes)],
        _ =>
        [
            .. Enumerable.Range(shape.Inputs * shape.Hidden, shape.Hidden),
            .. Enumerable.Range(shape.ParameterCount - shape.Classes, shape.Classes),
        ],
    };
}
