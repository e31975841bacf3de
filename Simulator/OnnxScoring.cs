using Microsoft.ML;
using Microsoft.ML.Data;
using MlAspire.Storage.Export;
using MlAspire.Tangle.Data;

namespace MlAspire.Simulator;

/// <summary>
/// Scores an exported model (<see cref="OnnxModel"/>) with ML.NET, as a user's own .NET program would: the engine is
/// not involved, so agreeing with it shows the export is the model.
/// </summary>
public static class OnnxScoring
{
    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>Each sample's class probabilities, in order.</summary>
    public static float[][] Probabilities(string modelFile, Dataset data)
    {
        if (!File.Exists(modelFile))
            throw new FileNotFoundException($"No ONNX model at {modelFile}.", modelFile);
        var ml = new MLContext(seed: 0);
        var schema = SchemaDefinition.Create(typeof(Row));
        var column = schema[nameof(Row.Features)];
        column.ColumnName = OnnxModel.InputName;
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.FeatureCount);
        var rows = Enumerable.Range(0, data.Count).Select(i => new Row { Features = data.Sample(i).ToArray() });
        var view = ml.Data.LoadFromEnumerable(rows, schema);
        ITransformer model;
        try
        {
            model = ml.Transforms.ApplyOnnxModel([OnnxModel.OutputName], [OnnxModel.InputName], modelFile).Fit(view);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{modelFile} is not a model for {data.FeatureCount} features with an '{OnnxModel.InputName}' input and a '{OnnxModel.OutputName}' output: {e.Message}", e);
        }
        return [.. model.Transform(view).GetColumn<VBuffer<float>>(OnnxModel.OutputName).Select(v => v.DenseValues().ToArray())];
    }

    /// <summary><c>evaluate MODEL [--data D]</c>: accuracy on a dataset's held-out set; <c>predict MODEL FILE.png...</c>: each image's class.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        switch (args)
        {
            case ["evaluate", var model, .. var rest]:
            {
                var data = rest is ["--data", var name] ? name : rest is [] ? "mnist" : throw new ArgumentException("usage: evaluate MODEL.onnx [--data D]");
                var (_, heldOut) = SimulatorRun.Load(data, DataPool.Test, null);
                var probabilities = Probabilities(model, heldOut);
                var correct = Enumerable.Range(0, heldOut.Count).Count(i => ArgMax(probabilities[i]) == heldOut.Labels[i]);
                output.WriteLine($"{model}: {correct} of {heldOut.Count} held-out samples of {data} right, {100.0 * correct / heldOut.Count:F2} % (ML.NET)");
                return 0;
            }
            case ["predict", var model, .. var images] when images.Length > 0:
            {
                var decoded = images.Select(file => Storage.Datasets.PngDecoder.Decode(File.ReadAllBytes(file))).ToList();
                var features = decoded.SelectMany(image => image.Planes.Select(p => p / 255f)).ToArray();
                var width = decoded[0].Planes.Length;
                if (decoded.Any(image => image.Planes.Length != width))
                    throw new InvalidDataException("The images differ in size or colour: predict one kind at a time.");
                var probabilities = Probabilities(model, new Dataset(features, new byte[images.Length], width, 2));
                for (var i = 0; i < images.Length; i++)
                    output.WriteLine($"{images[i]}: class {ArgMax(probabilities[i])} ({probabilities[i].Max():P1})");
                return 0;
            }
            default:
                throw new ArgumentException("usage: evaluate MODEL.onnx [--data D] | predict MODEL.onnx IMAGE.png...");
        }
    }

    /// <summary>The most probable class; ties to the lowest index, as the engine predicts.</summary>
    public static int ArgMax(float[] probabilities) => Array.IndexOf(probabilities, probabilities.Max());
}
