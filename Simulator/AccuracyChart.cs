using MlAspire.Tangle.Simulation;
using ScottPlot;

namespace MlAspire.Simulator;

/// <summary>Held-out accuracy per round, one line per method, as a PNG anyone can open.</summary>
public static class AccuracyChart
{
    public static void Save(string path, IEnumerable<RoundResult> results, string title)
    {
        var plot = new Plot();
        foreach (var method in results.GroupBy(r => r.Method))
        {
            var line = plot.Add.Scatter(method.Select(r => (double)r.Round).ToArray(), method.Select(r => r.Accuracy * 100).ToArray());
            line.LegendText = method.Key;
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }
        plot.Title(title);
        plot.XLabel("round (local epochs per peer)");
        plot.YLabel("held-out accuracy (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 540);
    }
}
