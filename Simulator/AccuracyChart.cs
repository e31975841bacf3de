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
            ChartStyle.AddLine(plot, [.. method.Select(r => (double)r.Round)], [.. method.Select(r => r.Accuracy * 100)], method.Key);
        ChartStyle.Save(plot, path, title, "round (local epochs per peer)", "held-out accuracy (%)", Alignment.LowerRight);
    }
}
