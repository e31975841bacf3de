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
        var (trainPool, heldOut) = LoadMnist(options.DataDirectory, options.TrainCount);
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

        var table = new Table().AddColumns("method", "final accuracy", "best accuracy", "final loss");
        foreach (var method in results.GroupBy(r => r.Method))
        {
            var last = method.Last();
            table.AddRow(method.Key, $"{last.Accuracy:P2}", $"{method.Max(r => r.Accuracy):P2}", $"{last.Loss:F4}");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{stopwatch.Elapsed.TotalSeconds:F1} s; wrote [link]{csv}[/] and [link]{png}[/]");
        return 0;
    }

    public static (Dataset TrainPool, Dataset HeldOut) LoadMnist(string directory, int trainCount)
    {
        using var images = File.OpenRead(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"));
        using var labels = File.OpenRead(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"));
        return DataSplits.HoldOut(IdxReader.Read(images, labels), trainCount);
    }
}
