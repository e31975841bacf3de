using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Tests.Learning;

public class ModelTests
{
    private static IModel Create(ModelArchitecture architecture, int inputs, int classes) =>
        Models.Create(new ModelShape(architecture, inputs, architecture == ModelArchitecture.Mlp ? 16 : 0, classes));

    [Theory]
    [InlineData(ModelArchitecture.LogisticRegression)]
    [InlineData(ModelArchitecture.Mlp)]
    public void Training_on_separable_blobs_reaches_high_held_out_accuracy(ModelArchitecture architecture)
    {
        var random = new Random(1);
        var (train, test) = DataSplits.HoldOut(SyntheticData.GaussianBlobs(900, 20, 4, 1.0, random), 600);
        var model = Create(architecture, 20, 4);
        var parameters = model.Initialize(random).ToArray();
        var before = model.Evaluate(parameters, test);

        model.Train(parameters, train, new SgdOptions(Epochs: 10, BatchSize: 16, LearningRate: 0.05f), random);

        var after = model.Evaluate(parameters, test);
        Assert.True(after.Accuracy >= 0.95, $"Accuracy {after.Accuracy}.");
        Assert.True(after.Loss < before.Loss / 4, $"Loss {before.Loss} → {after.Loss}.");
    }

    [Theory]
    [InlineData(ModelArchitecture.LogisticRegression)]
    [InlineData(ModelArchitecture.Mlp)]
    public void All_zero_weights_give_loss_ln_classes_and_predict_class_zero(ModelArchitecture architecture)
    {
        var model = Create(architecture, 2, 4);
        byte[] labels = [0, 1, 2, 0, 3];
        var data = new Dataset([1, 2, -3, 4, 5, 0, 0, 1, 2, 2], labels, 2, 4);

        var evaluation = model.Evaluate(new float[model.Shape.ParameterCount], data);

        Assert.Equal(Math.Log(4), evaluation.Loss, 6);
        Assert.Equal(2.0 / 5, evaluation.Accuracy); // ties go to class 0, which two of five samples have
    }

    [Fact]
    public void Logistic_regression_loss_matches_hand_computed_softmax()
    {
        var model = new LogisticRegression(1, 2);
        // W = [1, −1], b = [0.5, 0]: x = 2 gives logits (2.5, −2); x = −1 gives (−0.5, 1).
        var data = new Dataset([2, -1], [0, 0], 1, 2);

        var evaluation = model.Evaluate([1, -1, 0.5f, 0], data);

        var expected = (Math.Log(1 + Math.Exp(-4.5)) + Math.Log(1 + Math.Exp(1.5))) / 2;
        Assert.Equal(expected, evaluation.Loss, 6);
        Assert.Equal(0.5, evaluation.Accuracy);
    }

    [Fact]
    public void Mlp_loss_matches_hand_computed_forward_pass()
    {
        var model = new Mlp(1, 1, 2);
        // W1 = [1], b1 = [0], W2 = [1, −1], b2 = [0, 0]: x = 2 gives h = 2 and logits (2, −2);
        // x = −1 is cut by the ReLU to h = 0, logits (0, 0), a tie predicted as class 0 while the label is 1.
        var data = new Dataset([2, -1], [0, 1], 1, 2);

        var evaluation = model.Evaluate([1, 0, 1, -1, 0, 0], data);

        Assert.Equal((Math.Log(1 + Math.Exp(-4)) + Math.Log(2)) / 2, evaluation.Loss, 6);
        Assert.Equal(0.5, evaluation.Accuracy);
    }

    [Fact]
    public void Huge_logits_give_a_finite_exact_loss()
    {
        var model = new LogisticRegression(1, 2);
        var data = new Dataset([1], [1], 1, 2);

        var evaluation = model.Evaluate([1000, -1000, 0, 0], data);

        Assert.Equal(2000, evaluation.Loss, 3);
        Assert.Equal(0, evaluation.Accuracy);
    }

    [Theory]
    [InlineData(ModelArchitecture.LogisticRegression)]
    [InlineData(ModelArchitecture.Mlp)]
    public void Same_seed_gives_identical_parameters(ModelArchitecture architecture)
    {
        var model = Create(architecture, 8, 3);
        var data = SyntheticData.GaussianBlobs(100, 8, 3, 1.0, new Random(2));

        float[] Run(int seed)
        {
            var parameters = model.Initialize(new Random(seed)).ToArray();
            model.Train(parameters, data, new SgdOptions(Epochs: 2, BatchSize: 7), new Random(seed + 1));
            return parameters;
        }

        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Theory]
    [InlineData(ModelArchitecture.LogisticRegression)]
    [InlineData(ModelArchitecture.Mlp)]
    public void Mismatched_parameters_or_data_are_rejected(ModelArchitecture architecture)
    {
        var model = Create(architecture, 3, 2);
        var parameters = model.Initialize(new Random(0)).ToArray();
        var data = SyntheticData.GaussianBlobs(10, 3, 2, 1.0, new Random(0));
        var options = new SgdOptions();

        Assert.Throws<ArgumentException>(() => model.Train(new float[parameters.Length + 1], data, options, new Random(0)));
        Assert.Throws<ArgumentException>(() => model.Train(parameters, SyntheticData.GaussianBlobs(10, 4, 2, 1.0, new Random(0)), options, new Random(0)));
        Assert.Throws<ArgumentException>(() => model.Evaluate(parameters, SyntheticData.GaussianBlobs(10, 3, 3, 1.0, new Random(0))));
        Assert.Throws<ArgumentException>(() => model.Evaluate(parameters, data.Slice(0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Train(parameters, data, options with { BatchSize = 0 }, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Train(parameters, data, options with { BatchSize = -1 }, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Train(parameters, data, options with { WeightDecay = -1 }, new Random(0)));
        Assert.Throws<ArgumentNullException>(() => model.Train(parameters, data, null!, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Train(parameters, data, options with { LearningRate = float.NaN }, new Random(0)));
    }

    [Fact]
    public void Training_on_no_data_changes_nothing()
    {
        var model = new Mlp(3, 4, 2);
        var parameters = model.Initialize(new Random(0)).ToArray();
        var before = (float[])parameters.Clone();

        model.Train(parameters, SyntheticData.GaussianBlobs(0, 3, 2, 1.0, new Random(0)), new SgdOptions(Epochs: 3), new Random(0));

        Assert.Equal(before, parameters);
    }

    [Fact]
    public void Factory_creates_the_model_for_each_architecture()
    {
        Assert.IsType<LogisticRegression>(Models.Create(ModelShape.LogisticRegression(784, 10)));
        var mlp = Models.Create(ModelShape.Mlp(784, 64, 10));
        Assert.IsType<Mlp>(mlp);
        Assert.Equal(ModelShape.Mlp(784, 64, 10), mlp.Shape);
        Assert.Equal(784 * 64 + 64 + 64 * 10 + 10, mlp.Initialize(new Random(0)).Values.Length);
        Assert.Throws<ArgumentException>(() => Models.Create(new ModelShape((ModelArchitecture)9, 4, 0, 2)));
    }
}
