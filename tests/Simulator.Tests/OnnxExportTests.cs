using MlAspire.Simulator;
using MlAspire.Storage.Export;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Architectures;

namespace MlAspire.Simulator.Tests;

/// <summary>An exported model scored by ML.NET (ONNX Runtime underneath) predicts what the engine predicts.</summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("onnx-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Theory]
    [InlineData("mlp", 4000, 0.8)]
    [InlineData("logreg", 4000, 0.8)]
    [InlineData("small-cnn", 2000, 0.8)]
    [InlineData("leaf-cnn", 1000, 0.8)]
    // Odd but valid layouts: spatial layers on a flat input and dense without flatten; a model ending in a pooled image.
    [InlineData("input:784, maxpool:1, conv2d:1x1x3, relu, dense:10, softmax", 2000, 0.3)]
    [InlineData("input:1x28x28, conv2d:3x3x4, maxpool:2, relu, conv2d:3x3x10, maxpool:14, softmax", 2000, 0.15)]
    public void Ml_net_predicts_every_held_out_digit_as_the_engine_does(string architecture, int trainingSamples, double minimumAccuracy)
    {
        var (pool, heldOut, sample) = SimulatorRun.Load("mnist", DataPool.Test, null);
        var shape = ModelArchitectures.Resolve(architecture, sample, 10, hidden: 64);
        var model = Models.Create(shape);
        var values = model.Initialize(new Random(1)).ToArray();
        model.Train(values, pool.Slice(0, trainingSamples), new SgdOptions(Epochs: 1, BatchSize: 16, LearningRate: 0.05f), new Random(2));
        var file = Path.Combine(_output, $"{architecture}.onnx");
        File.WriteAllBytes(file, OnnxModel.Write(new ModelWeights(shape, values)));

        var engine = model.Predict(values, heldOut);
        var mlNet = OnnxScoring.Probabilities(file, heldOut).Select(OnnxScoring.ArgMax).ToArray();

        Assert.Equal(engine, mlNet); // every one of the 2,000
        Assert.InRange(model.Evaluate(values, heldOut).Accuracy, minimumAccuracy, 1.0); // trained: agreement is not both guessing one class
        Assert.True(engine.Distinct().Count() >= 3, $"The engine predicts only {string.Join(", ", engine.Distinct())}.");
        var report = new StringWriter();
        Assert.Equal(0, OnnxScoring.Run(["evaluate", file], report));
        Assert.Contains($"{engine.Where((c, i) => c == heldOut.Labels[i]).Count()} of 2000 held-out samples of mnist right", report.ToString());
    }

    [Fact]
    public void Predict_names_each_png_images_class_as_the_engine_does_and_refuses_mixed_sizes()
    {
        var (pool, heldOut, _) = SimulatorRun.Load("mnist", DataPool.Test, null);
        var shape = ModelShape.LogisticRegression(784, 10);
        var model = Models.Create(shape);
        var values = model.Initialize(new Random(1)).ToArray();
        model.Train(values, pool.Slice(0, 2000), new SgdOptions(Epochs: 1, BatchSize: 16, LearningRate: 0.05f), new Random(2));
        var file = Path.Combine(_output, "digits.onnx");
        File.WriteAllBytes(file, OnnxModel.Write(new ModelWeights(shape, values)));
        var digits = heldOut.Slice(0, 5);
        var images = Enumerable.Range(0, 5).Select(i => WritePng($"{i}.png", digits.Sample(i), 28, 28)).ToArray();

        var report = new StringWriter();
        Assert.Equal(0, OnnxScoring.Run(["predict", file, .. images], report));

        var expected = model.Predict(values, digits);
        Assert.Equal(images.Select((image, i) => $"{image}: class {expected[i]} "), report.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[..(line.IndexOf('(') )]));
        var odd = WritePng("odd.png", new float[14 * 56], 14, 56);
        Assert.Contains("odd.png is 14 × 56", Assert.Throws<InvalidDataException>(() => OnnxScoring.Run(["predict", file, images[0], odd], new StringWriter())).Message);
    }

    private string WritePng(string name, ReadOnlySpan<float> pixels, int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(width, height, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var value = (byte)Math.Round(pixels[y * width + x] * 255);
                bitmap.SetPixel(x, y, new SkiaSharp.SKColor(value, value, value));
            }
        using var png = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var path = Path.Combine(_output, name);
        File.WriteAllBytes(path, png.ToArray());
        return path;
    }

    [Fact]
    public void A_model_for_other_data_is_refused_saying_what_it_expects()
    {
        var shape = ModelShape.LogisticRegression(20, 3);
        var file = Path.Combine(_output, "small.onnx");
        File.WriteAllBytes(file, OnnxModel.Write(Models.Create(shape).Initialize(new Random(1))));
        var (_, heldOut, _) = SimulatorRun.Load("mnist", DataPool.Test, null);
        Assert.Contains("is not a model for 784 features", Assert.Throws<InvalidDataException>(() => OnnxScoring.Probabilities(file, heldOut)).Message);
    }
}
