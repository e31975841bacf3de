using MlAspire.Simulator;
using MlAspire.Storage.Export;
using MlAspire.Tangle.Learning;

namespace MlAspire.Simulator.Tests;

/// <summary>An exported model scored by ML.NET (ONNX Runtime underneath) predicts what the engine predicts.</summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("onnx-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Theory]
    [InlineData("mlp")]
    [InlineData("logreg")]
    public void Ml_net_predicts_every_held_out_digit_as_the_engine_does(string architecture)
    {
        var (pool, heldOut) = SimulatorRun.Load("mnist", DataPool.Test, null);
        var shape = architecture == "mlp" ? ModelShape.Mlp(784, 64, 10) : ModelShape.LogisticRegression(784, 10);
        var model = Models.Create(shape);
        var values = model.Initialize(new Random(1)).ToArray();
        model.Train(values, pool.Slice(0, 4000), new SgdOptions(Epochs: 1, BatchSize: 16, LearningRate: 0.05f), new Random(2));
        var file = Path.Combine(_output, $"{architecture}.onnx");
        File.WriteAllBytes(file, OnnxModel.Write(new ModelWeights(shape, values)));

        var engine = model.Predict(values, heldOut);
        var mlNet = OnnxScoring.Probabilities(file, heldOut).Select(OnnxScoring.ArgMax).ToArray();

        Assert.Equal(engine, mlNet); // every one of the 2,000
        Assert.InRange(model.Evaluate(values, heldOut).Accuracy, 0.8, 1.0); // a trained model: agreement is not both guessing one class
        var report = new StringWriter();
        Assert.Equal(0, OnnxScoring.Run(["evaluate", file], report));
        Assert.Contains($"{engine.Where((c, i) => c == heldOut.Labels[i]).Count()} of 2000 held-out samples of mnist right", report.ToString());
    }

    [Fact]
    public void A_model_for_other_data_is_refused_saying_what_it_expects()
    {
        var shape = ModelShape.LogisticRegression(20, 3);
        var file = Path.Combine(_output, "small.onnx");
        File.WriteAllBytes(file, OnnxModel.Write(Models.Create(shape).Initialize(new Random(1))));
        var (_, heldOut) = SimulatorRun.Load("mnist", DataPool.Test, null);
        Assert.Contains("is not a model for 784 features", Assert.Throws<InvalidDataException>(() => OnnxScoring.Probabilities(file, heldOut)).Message);
    }
}
