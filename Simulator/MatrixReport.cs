using System.Globalization;
using System.Text;
using ScottPlot;

namespace MlAspire.Simulator;

/// <summary>
/// Summarizes a folder of simulator CSVs named <c>DATASET_none</c> and <c>DATASET_ATTACK-FRACTION</c> (as
/// docs/matrix.sh writes them): a markdown table per dataset and one chart per dataset and attack, accuracy against
/// the attackers' share, one line per method. A run's figure is the mean of its last three evaluations.
/// </summary>
public static class MatrixReport
{
    public static int Write(string directory)
    {
        var runs = Directory.GetFiles(directory, "*.csv").Select(Read).Where(r => r is not null).Select(r => r!).ToList();
        if (runs.Count == 0)
            throw new FileNotFoundException($"No DATASET_ATTACK-FRACTION.csv runs in {directory}.");
        var markdown = new StringBuilder();
        foreach (var dataset in runs.GroupBy(r => r.Dataset).OrderBy(g => g.Key))
        {
            var methods = dataset.SelectMany(r => r.Accuracy.Keys).Distinct().ToList();
            var clean = dataset.FirstOrDefault(r => r.Attack == "none");
            markdown.AppendLine($"### {dataset.Key}").AppendLine()
                .AppendLine($"| attack | attackers | {string.Join(" | ", methods)} |")
                .AppendLine($"| --- | --- |{string.Concat(methods.Select(_ => " --- |"))}");
            foreach (var run in dataset.OrderBy(r => r.Attack == "none" ? "" : r.Attack).ThenBy(r => r.Fraction))
                markdown.AppendLine($"| {run.Attack} | {run.Fraction:P0} | {string.Join(" | ", methods.Select(m => Cell(run, clean, m)))} |");
            markdown.AppendLine();
            foreach (var attack in dataset.Where(r => r.Attack != "none").GroupBy(r => r.Attack))
                Chart(Path.Combine(directory, $"{dataset.Key}_{attack.Key}.png"), $"{dataset.Key}: {attack.Key}", methods, clean, [.. attack.OrderBy(r => r.Fraction)]);
        }
        File.WriteAllText(Path.Combine(directory, "matrix.md"), markdown.ToString());
        Console.WriteLine(markdown);
        return 0;
    }

    private static string Cell(Run run, Run? clean, string method)
    {
        if (!run.Accuracy.TryGetValue(method, out var accuracy)) return "";
        var change = run != clean && clean?.Accuracy.TryGetValue(method, out var baseline) == true ? $" ({(accuracy - baseline) * 100:+0.0;−0.0;0.0})" : "";
        return $"{accuracy:P1}{change}";
    }

    private static void Chart(string path, string title, IReadOnlyList<string> methods, Run? clean, IReadOnlyList<Run> runs)
    {
        var plot = new Plot();
        var points = clean is null ? runs : [clean, .. runs];
        foreach (var method in methods)
            ChartStyle.AddLine(plot, [.. points.Select(r => r.Fraction * 100)], [.. points.Select(r => r.Accuracy.GetValueOrDefault(method, double.NaN) * 100)], method, markerSize: 5);
        ChartStyle.Save(plot, path, title, "attackers (% of peers)", "held-out accuracy (%), mean of the last 3 evaluations", Alignment.LowerLeft);
    }

    /// <summary>One run: DATASET_none or DATASET_ATTACK-FRACTION; null for a file named otherwise.</summary>
    private static Run? Read(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path).Split('_', 2);
        if (name.Length != 2) return null;
        var (attack, fraction) = name[1] == "none"
            ? ("none", 0.0)
            : (name[1][..name[1].LastIndexOf('-')], double.Parse(name[1][(name[1].LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture));
        var rows = File.ReadLines(path).Skip(1).Select(l => l.Split(',')).ToList();
        var accuracy = rows.GroupBy(r => r[1]).ToDictionary(
            g => g.Key,
            g => g.TakeLast(3).Average(r => double.Parse(r[2], CultureInfo.InvariantCulture)));
        return new Run(name[0], attack, fraction, accuracy);
    }

    private sealed record Run(string Dataset, string Attack, double Fraction, IReadOnlyDictionary<string, double> Accuracy);
}
