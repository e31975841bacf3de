using System.Diagnostics;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Architectures;
using MlAspire.Storage.Datasets;
using MlAspire.Tangle.Simulation;
using Spectre.Console;

namespace MlAspire.Simulator;

/// <summary>Loads the dataset, runs the experiment with a progress bar, and writes the CSV, the chart and a summary.</summary>
public static class SimulatorRun
{
    public static int Execute(SimulatorOptions options)
    {
        var (trainPool, heldOut, sample) = Load(options.Data, options.Pool, options.TrainCount);
        // The model takes the dataset's sample shape and classes; which model, from the options.
        var config = options.Config with { Model = ModelArchitectures.Resolve(options.ModelName, sample, trainPool.ClassCount, options.Hidden) };
        AnsiConsole.MarkupLineInterpolated($"[bold]{options.Name}[/]: {config.Peers} peers, {config.Rounds} rounds, {config.Partition}, {config.Model} ({config.Model.ParameterCount:N0} parameters), attack {config.Attack?.ToString() ?? "none"}, seed {config.Seed}; train pool {trainPool.Count}, held out {heldOut.Count}");

        var stopwatch = Stopwatch.StartNew();
        IReadOnlyList<RoundResult> results = [];
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("rounds", maxValue: config.Rounds);
                results = SimulationRunner.Run(config, trainPool, heldOut, (round, evaluated) =>
                {
                    task.Value = round;
                    if (evaluated.Count > 0)
                        task.Description = string.Join("  ", evaluated.Select(r => $"{r.Method} {r.Accuracy:P1}"));
                });
            });

        Directory.CreateDirectory(options.OutputDirectory);
        var csv = Path.Combine(options.OutputDirectory, options.Name + ".csv");
        var png = Path.Combine(options.OutputDirectory, options.Name + ".png");
        ResultsCsv.Write(csv, results);
        AccuracyChart.Save(png, results, $"{options.Name}");

        var table = new Table().AddColumns("method", "final accuracy", "best accuracy", "final loss", $"contributors ({ReferenceReach.Window} rounds)");
        foreach (var method in results.GroupBy(r => r.Method))
        {
            var last = method.Last();
            table.AddRow(method.Key, $"{last.Accuracy:P2}", $"{method.Max(r => r.Accuracy):P2}", $"{last.Loss:F4}", last.Contributors is { } c ? $"{c:F1}" : "");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{stopwatch.Elapsed.TotalSeconds:F1} s; wrote [link]{csv}[/] and [link]{png}[/]");
        return 0;
    }

    /// <summary>
    /// The train pool and the held-out set of a dataset (a name or a path, see <see cref="DatasetFormats"/>): the first
    /// <paramref name="trainCount"/> samples of its test set (by default 80 %) and the rest, or, for the
    /// <see cref="DataPool.Train"/> pool, its separate training set (the first <paramref name="trainCount"/>, by default all)
    /// and its test set.
    /// </summary>
    public static (Dataset TrainPool, Dataset HeldOut, ActivationShape Sample) Load(string data, DataPool pool, int? trainCount)
    {
        var loaded = DatasetFormats.Load(data, SimulatorOptions.MnistDirectory);
        if (pool == DataPool.Test)
        {
            var count = trainCount ?? DataSplits.TrainPoolSize(loaded.Samples.Count);
            if (count < 1 || count >= loaded.Samples.Count)
                throw new ArgumentException(trainCount is null
                    ? $"{data} has {loaded.Samples.Count} samples: too few to keep 80 % as the train pool and hold the rest out."
                    : $"--train-count {count} leaves no train pool or nothing held out of {data}'s {loaded.Samples.Count} samples.");
            var (trainPool, heldOut) = DataSplits.HoldOut(loaded.Samples, count);
            return (trainPool, heldOut, loaded.SampleShape);
        }
        if (trainCount < 1)
            throw new ArgumentException($"--train-count {trainCount} leaves no train pool.");
        var train = loaded.Training ?? throw new InvalidDataException($"{data} has no separate training set for --pool train: use --pool test.");
        return (trainCount < train.Count ? train.Slice(0, trainCount.Value) : train, loaded.Samples, loaded.SampleShape);
    }
}
