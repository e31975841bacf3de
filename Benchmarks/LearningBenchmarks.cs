using System.Diagnostics;
using MlAspire.Storage.Datasets;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Architectures;

namespace MlAspire.Benchmarks;

/// <summary>Training throughput per core, evaluation and averaging cost, on real MNIST digits.</summary>
public static class LearningBenchmarks
{
    public static void Run()
    {
        Console.WriteLine("== Learning (one thread, MNIST 784 features) ==");
        var data = LoadMnist().Slice(0, 4000);
        foreach (var shape in new[] { ModelShape.LogisticRegression(784, 10), ModelShape.Mlp(784, 64, 10) })
        {
            var model = Models.Create(shape);
            var weights = model.Initialize(new Random(1));
            var values = weights.ToArray();
            var options = new SgdOptions(Epochs: 1, BatchSize: 16, LearningRate: 0.05f);
            var random = new Random(2);
            model.Train(values, data, options, random); // warm-up
            var runs = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                model.Train(values, data, options, random);
                runs.Add(data.Count / stopwatch.Elapsed.TotalSeconds);
            }
            runs.Sort();
            var evaluation = Measure.Time(() => model.Evaluate(values, data), samples: 7);
            Console.WriteLine($"{(shape.Layers.Count == 1 ? "logreg" : "mlp 784-64-10"),-18} {shape.ParameterCount,7:N0} parameters: training {runs[2],9:N0} samples/s/core (median of 5 epochs of {data.Count}); evaluating {data.Count} samples {evaluation}");
            // A peer's local test set at 1,000 simulated peers on Fashion-MNIST's 60,000: about 12 samples. Walks rate
            // transactions at this size, hundreds of times per training step.
            var small = data.Slice(0, 12);
            Console.WriteLine($"{"",18} evaluating 12 samples {Measure.Time(() => model.Evaluate(values, small), samples: 51, batch: 200)}");
            // As a walk meets them: each model new to the caches (1,000 MLPs are 200 MB).
            var many = Enumerable.Range(0, 1000).Select(i => model.Initialize(new Random(i)).ToArray()).ToArray();
            var next = 0;
            Console.WriteLine($"{"",18} evaluating 12 samples, a different model each time {Measure.Time(() => model.Evaluate(many[next++ % many.Length], small), samples: 51, batch: 200)}");

            foreach (var count in new[] { 2, 8 })
            {
                var models = Enumerable.Range(0, count).Select(i => model.Initialize(new Random(i))).ToList();
                var coefficients = Enumerable.Range(1, count).Select(i => (double)i).ToList();
                Console.WriteLine($"{"",18} averaging {count} models: {Measure.Time(() => ModelAveraging.Average(models, coefficients), samples: 51, batch: 10)}");
            }
            foreach (var count in new[] { 8, 16 })
            {
                var published = Enumerable.Range(0, count)
                    .Select(i => new PublishedModel(new Transaction($"t{i}", ["g"], $"w{i}", "p", 0, new TransactionMetrics(0, 0, 100)), model.Initialize(new Random(i))))
                    .ToList();
                foreach (var spec in new[] { "trimmed-mean:0.25", "filtered-trimmed-mean:0.25:3", "centered-clipping", "median", "multi-krum" })
                {
                    var aggregator = Aggregators.Create(spec);
                    Console.WriteLine($"{"",18} {spec} of {count} models: {Measure.Time(() => aggregator.Aggregate(published), samples: 21, batch: 5)}");
                }
            }
        }
        AgainstPyTorch();
        Console.WriteLine();
    }

    /// <summary>
    /// The workload of docs/pytorch/train_speed.py: Fashion-MNIST's first 10,000 training images, one epoch of SGD,
    /// best of three, then accuracy on the 10,000 test images. Run both in one session to compare them.
    /// </summary>
    private static void AgainstPyTorch()
    {
        LoadedDataset fashion;
        try
        {
            fashion = DatasetFormats.Load("fashion-mnist", "");
        }
        catch (FileNotFoundException e)
        {
            Console.WriteLine($"against PyTorch: skipped ({e.Message})");
            return;
        }
        // The networks and batches of docs/pytorch/train_speed.py; the CNNs train on fewer images, as one epoch of 10,000 takes minutes.
        var image = fashion.SampleShape;
        foreach (var (name, batch, learningRate, images) in new[] { ("mlp", 32, 0.1f, 10_000), ("small-cnn", 32, 0.05f, 2_000), ("leaf-cnn", 10, 0.05f, 500) })
        {
            var shape = ModelArchitectures.Resolve(name, image, 10, hidden: 128);
            var train = fashion.Training!.Slice(0, images);
            var options = new SgdOptions(Epochs: 1, BatchSize: batch, LearningRate: learningRate);
            var model = Models.Create(shape);
            var best = 0.0;
            float[] values = [];
            for (var run = 0; run < 3; run++)
            {
                values = model.Initialize(new Random(run)).ToArray();
                var stopwatch = Stopwatch.StartNew();
                model.Train(values, train, options, new Random(run));
                best = Math.Max(best, train.Count / stopwatch.Elapsed.TotalSeconds);
            }
            // Counted densely, 2 FLOP a multiply-add, as PyTorch's figures are: what the engine skips (gradients a ReLU zeroed) still counts.
            var megaflops = 2.0 * shape.TrainingMultiplyAdds / 1e6;
            var gigaflops = best * megaflops / 1e3;
            Console.WriteLine($"against PyTorch, {name} ({shape.ParameterCount:N0} parameters, {megaflops:N2} MFLOP a sample): " +
                $"{best:N0} samples/s, {gigaflops:N1} GFLOP/s (best of 3 epochs of {images:N0} Fashion-MNIST images, batch {batch}, one thread); " +
                $"test accuracy {model.Evaluate(values, fashion.Samples).Accuracy:P1}");
        }
    }

    internal static Dataset LoadMnist()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "data", "mnist");
        using var images = File.OpenRead(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"));
        using var labels = File.OpenRead(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"));
        return IdxReader.Read(images, labels);
    }
}
