using ScottPlot;

namespace MlAspire.Simulator;

/// <summary>The look every simulator chart shares: one thick line per method, accuracy in percent on 0-100, a legend.</summary>
public static class ChartStyle
{
    public static void AddLine(Plot plot, double[] xs, double[] percents, string label, float markerSize = 0)
    {
        var line = plot.Add.Scatter(xs, percents);
        line.LegendText = label;
        line.MarkerSize = markerSize;
        line.LineWidth = 2;
    }

    public static void Save(Plot plot, string path, string title, string xLabel, string yLabel, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend(legend);
        plot.SavePng(path, 900, 540);
    }
}
