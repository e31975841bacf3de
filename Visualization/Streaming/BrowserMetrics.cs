using System.Diagnostics.Metrics;

namespace MlAspire.Visualization.Streaming;

/// <summary>The Visualization's own metrics (Meter "MlAspire.Visualization", exported on /metrics by the service defaults).</summary>
public sealed class BrowserMetrics
{
    public const string MeterName = "MlAspire.Visualization";
    public const string BrowsersConnectedName = "mlaspire.visualization.browsers.connected";
    private readonly UpDownCounter<long> _browsersConnected;

    public BrowserMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _browsersConnected = meter.CreateUpDownCounter<long>(BrowsersConnectedName, "{browser}", "Browsers listening to the live tangle (open event streams).");
        _browsersConnected.Add(0); // exported at zero from the start, so dashboards show 0 rather than no data
    }

    public void BrowserConnected() => _browsersConnected.Add(1);

    public void BrowserDisconnected() => _browsersConnected.Add(-1);
}
