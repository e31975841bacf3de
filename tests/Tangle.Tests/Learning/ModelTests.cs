using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Architectures;

namespace MlAspire.Tangle.Tests.Learning;

public class ModelTests
{
    private static IModel Create(string architecture, int inputs, int classes) =>
        Models.Create(ModelArchitectures.Resolve(architecture, ActivationShape.Flat(inputs), classes, hidden: 16));

    [Theory]
    [InlineData("logreg")]
    [InlineData("mlp")]
    public void Training_on_separable_blobs_reaches_high_held_out_accuracy(string architecture)
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
    [InlineData("logreg")]
    [InlineData("mlp")]
    public void All_zero_weights_give_loss_ln_classes_and_predict_class_zero(string architecture)
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
        var model = Models.Create(ModelShape.LogisticRegression(1, 2));
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
        var model = Models.Create(ModelShape.Mlp(1, 1, 2));
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
        var model = Models.Create(ModelShape.LogisticRegression(1, 2));
        var data = new Dataset([1], [1], 1, 2);

        var evaluation = model.Evaluate([1000, -1000, 0, 0], data);

        Assert.Equal(2000, evaluation.Loss, 3);
        Assert.Equal(0, evaluation.Accuracy);
    }

    [Theory]
    [InlineData("logreg")]
    [InlineData("mlp")]
    public void Same_seed_gives_identical_parameters(string architecture)
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
    [InlineData("logreg")]
    [InlineData("mlp")]
    public void Mismatched_parameters_or_data_are_rejected(string architecture)
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
        var model = Models.Create(ModelShape.Mlp(3, 4, 2));
        var parameters = model.Initialize(new Random(0)).ToArray();
        var before = (float[])parameters.Clone();

        model.Train(parameters, SyntheticData.GaussianBlobs(0, 3, 2, 1.0, new Random(0)), new SgdOptions(Epochs: 3), new Random(0));

        Assert.Equal(before, parameters);
    }

    [Fact]
    public void A_convolutional_network_learns_and_is_deterministic_for_a_seed()
    {
        var random = new Random(3);
        var (train, test) = DataSplits.HoldOut(SyntheticData.GaussianBlobs(900, 36, 4, 1.0, random), 600);
        var model = Models.Create(ModelShape.Parse("input:1x6x6, conv2d:3x3x4, relu, maxpool:2, flatten, dense:4, softmax"));
        float[] Run(int seed)
        {
            var parameters = model.Initialize(new Random(seed)).ToArray();
            model.Train(parameters, train, new SgdOptions(Epochs: 10, BatchSize: 16, LearningRate: 0.05f), new Random(seed + 1));
            return parameters;
        }

        var trained = Run(5);

        Assert.True(model.Evaluate(trained, test).Accuracy >= 0.95, $"Accuracy {model.Evaluate(trained, test).Accuracy}.");
        Assert.Equal(trained, Run(5));
        Assert.NotEqual(trained, Run(6));
        // Evaluated in blocks of 64 or one sample at a time, each sample's class is the same.
        Assert.Equal(model.Predict(trained, test), Enumerable.Range(0, test.Count).Select(i => model.Predict(trained, test.Slice(i, 1))[0]));
    }

    [Fact]
    public void Named_architectures_are_layer_lists_with_the_papers_parameter_counts()
    {
        var image = new ActivationShape(1, 28, 28);
        Assert.Equal("input:784, dense:64, relu, dense:10, softmax", ModelArchitectures.Resolve("mlp", ActivationShape.Flat(784), 10, 64).Description);
        Assert.Equal("input:1x28x28, flatten, dense:10, softmax", ModelArchitectures.Resolve("logreg", image, 10, 0).Description);
        var leaf = ModelArchitectures.Resolve("leaf-cnn", ActivationShape.Flat(784), 62, 0);
        Assert.Equal("input:1x28x28, conv2d:5x5x32, relu, maxpool:2, conv2d:5x5x64, relu, maxpool:2, flatten, dense:2048, relu, dense:62, softmax", leaf.Description);
        // LEAF's FEMNIST network: 832 + 51,264 + 3,136·2048 + 2048 + 2048·62 + 62.
        Assert.Equal(832 + 51_264 + 3_136 * 2_048 + 2_048 + 2_048 * 62 + 62, leaf.ParameterCount);
        var small = ModelArchitectures.Resolve("small-cnn", image, 10, 0);
        Assert.Equal(832 + 51_264 + 3_136 * 128 + 128 + 128 * 10 + 10, small.ParameterCount);
        Assert.Equal(small, ModelShape.Parse(small.Description));
        Assert.Throws<FormatException>(() => ModelArchitectures.Resolve("small-cnn", ActivationShape.Flat(785), 10, 0));
        Assert.Throws<FormatException>(() => ModelArchitectures.Resolve("resnet", image, 10, 0));
    }

    [Theory]
    [InlineData("dense:10, softmax", "must start with input")]
    [InlineData("input:784, dense:10", "must start with input")]
    [InlineData("input:784, dense:10, softmax, softmax", "unknown layer 'softmax'")]
    [InlineData("input:784, conv:3, dense:10, softmax", "unknown layer 'conv'")]
    [InlineData("input:784, dense:0, softmax", "needs 1 number")]
    [InlineData("input:784, dense:-3, softmax", "needs 1 number")]
    [InlineData("input:784, dense:10x2, softmax", "needs 1 number")]
    [InlineData("input:784, dense:1, softmax", "at least 2 classes")]
    [InlineData("input:1x28x28, dense:10, softmax", "put flatten before it")]
    [InlineData("input:784, dense:65536, dense:65536, dense:10, softmax", "parameters")]
    [InlineData("input:0, dense:10, softmax", "not a sample shape")]
    [InlineData("input:10, softmax", "nothing to learn")]
    [InlineData("input:1x28x28, conv2d:65535x65535x1, flatten, dense:200, softmax", "larger than the 28x28 image")]
    [InlineData("input:65536, conv2d:65535x65535x1, flatten, dense:2, softmax", "larger than the 1x1 image")]
    [InlineData("input:1x2048x2048, conv2d:15x15x1, flatten, dense:2, softmax", "patch matrix")]
    [InlineData("input:1x28x28, conv2d:1x1x4096, relu, relu, maxpool:28, flatten, dense:10, softmax", "activations a sample")]
    [InlineData("input:1x4x4, maxpool:2, flatten, softmax", "nothing to learn")]
    [InlineData("input:99999x99999x99999, flatten, dense:10, softmax", "more than 16,777,216 values")]
    public void Malformed_or_oversized_descriptions_are_refused_saying_why(string description, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ModelShape.Parse(description));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Descriptions_are_bounded_in_length_and_layers()
    {
        Assert.Throws<FormatException>(() => ModelShape.Parse("input:4, " + string.Concat(Enumerable.Repeat("relu, ", 65)) + "dense:2, softmax"));
        Assert.Throws<FormatException>(() => ModelShape.Parse("input:4, " + new string(' ', 2000) + "dense:2, softmax"));
        Assert.Equal(ModelShape.Mlp(4, 3, 2), ModelShape.Parse("input:4,dense:3 ,  relu,dense:2,softmax"));
    }
}
