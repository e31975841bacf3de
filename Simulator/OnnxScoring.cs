using Microsoft.ML;
using Microsoft.ML.Data;
using MlAspire.Storage.Datasets;
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

    /// <summary>Largest model file scored: far above any model the engine exports, and a bound on what a stray file costs.</summary>
    public const long MaxModelBytes = 1L << 30;

    /// <summary>Each sample's class probabilities, in order.</summary>
    /// <exception cref="InvalidDataException">The file is not a model for these samples; ML.NET's or ONNX Runtime's reason is given.</exception>
    public static float[][] Probabilities(string modelFile, Dataset data)
    {
        var size = File.Exists(modelFile) ? new FileInfo(modelFile).Length : throw new FileNotFoundException($"No ONNX model at {modelFile}.", modelFile);
        if (size > MaxModelBytes)
            throw new InvalidDataException($"{modelFile} has {size} bytes; models of at most {MaxModelBytes} are scored.");
        var ml = new MLContext(seed: 0);
        var schema = SchemaDefinition.Create(typeof(Row));
        var column = schema[nameof(Row.Features)];
        column.ColumnName = OnnxModel.InputName;
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.FeatureCount);
        var rows = Enumerable.Range(0, data.Count).Select(i => new Row { Features = data.Sample(i).ToArray() });
        var view = ml.Data.LoadFromEnumerable(rows, schema);
        try
        {
            var model = ml.Transforms.ApplyOnnxModel([OnnxModel.OutputName], [OnnxModel.InputName], modelFile).Fit(view);
            return [.. model.Transform(view).GetColumn<VBuffer<float>>(OnnxModel.OutputName).Select(v => v.DenseValues().ToArray())];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ML.NET and ONNX Runtime report a file that is not such a model in many exception types; all mean the same here.
            throw new InvalidDataException($"{modelFile} is not a model for {data.FeatureCount} features with an '{OnnxModel.InputName}' input and a '{OnnxModel.OutputName}' output: {e.Message}", e);
        }
    }

    /// <summary><c>evaluate MODEL [--data D]</c>: accuracy on a dataset's held-out set; <c>predict MODEL FILE.png...</c>: each image's class.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        switch (args)
        {
            case ["evaluate", var model, .. var rest]:
            {
                var data = rest is ["--data", var name] ? name : rest is [] ? "mnist" : throw new ArgumentException("usage: evaluate MODEL.onnx [--data D]");
                var (_, heldOut, _) = SimulatorRun.Load(data, DataPool.Test, null);
                var probabilities = Probabilities(model, heldOut);
                if (probabilities.Length > 0 && probabilities[0].Length != heldOut.ClassCount)
                    throw new InvalidDataException($"{model} gives {probabilities[0].Length} class probabilities; {data} has {heldOut.ClassCount} classes.");
                var correct = Enumerable.Range(0, heldOut.Count).Count(i => ArgMax(probabilities[i]) == heldOut.Labels[i]);
                output.WriteLine($"{model}: {correct} of {heldOut.Count} held-out samples of {data} right, {100.0 * correct / heldOut.Count:F2} % (ML.NET)");
                return 0;
            }
            case ["predict", var model, .. var images] when images.Length > 0:
            {
                var decoded = images.Select(PngDecoder.DecodeFile).ToList();
                var first = decoded[0];
                if (decoded.Zip(images).FirstOrDefault(d => (d.First.Width, d.First.Height, d.First.Channels) != (first.Width, first.Height, first.Channels)) is ({ } other, var file))
                    throw new InvalidDataException($"{file} is {other}, {images[0]} {first}: predict one kind at a time.");
                var features = decoded.SelectMany(image => image.ToFeatures()).ToArray();
                var width = first.Planes.Length;
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
