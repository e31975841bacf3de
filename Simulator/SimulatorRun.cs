using System.Diagnostics;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Simulation;
using Spectre.Console;

namespace MlAspire.Simulator;

/// <summary>Loads MNIST, runs the experiment with a progress bar, and writes the CSV, the chart and a summary.</summary>
public static class SimulatorRun
{
    public static int Execute(SimulatorOptions options)
    {
        var (trainPool, heldOut) = Load(options.DataDirectory, options.Pool, options.TrainCount);
        var config = options.Config;
        AnsiConsole.MarkupLineInterpolated($"[bold]{options.Name}[/]: {config.Peers} peers, {config.Rounds} rounds, {config.Partition}, {config.Model.Architecture}, attack {config.Attack?.ToString() ?? "none"}, seed {config.Seed}; train pool {trainPool.Count}, held out {heldOut.Count}");

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

    /// <summary>The train pool and the held-out set from a folder of MNIST-format IDX files.</summary>
    public static (Dataset TrainPool, Dataset HeldOut) Load(string directory, DataPool pool, int trainCount)
    {
        var test = Read(directory, "t10k");
        if (pool == DataPool.Test)
            return DataSplits.HoldOut(test, trainCount);
        var train = Read(directory, "train");
        return (trainCount < train.Count ? train.Slice(0, trainCount) : train, test);
    }

    private static Dataset Read(string directory, string set)
    {
        var images = Path.Combine(directory, $"{set}-images-idx3-ubyte.gz");
        var labels = Path.Combine(directory, $"{set}-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
            throw new FileNotFoundException($"No {set} set in {directory}: expected {Path.GetFileName(images)} and {Path.GetFileName(labels)}.", images);
        using var imageStream = File.OpenRead(images);
        using var labelStream = File.OpenRead(labels);
        return IdxReader.Read(imageStream, labelStream);
    }
}
