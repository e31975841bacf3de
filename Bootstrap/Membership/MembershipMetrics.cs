using System.Diagnostics.Metrics;

namespace MlAspire.Bootstrap.Membership;

/// <summary>
/// Membership instruments of the "MlAspire.Bootstrap" meter. Prometheus sees them as
/// mlaspire_bootstrap_peers_joined_total, _left_total, _dropped_total and mlaspire_bootstrap_peers_active.
/// </summary>
public sealed class MembershipMetrics
{
    public const string MeterName = "MlAspire.Bootstrap";

    private readonly Counter<long> _joined;
    private readonly Counter<long> _left;
    private readonly Counter<long> _dropped;

    public MembershipMetrics(IMeterFactory meterFactory, Func<int> activePeers)
    {
        var meter = meterFactory.Create(MeterName);
        _joined = meter.CreateCounter<long>("mlaspire.bootstrap.peers.joined", "{peer}", "Peers that joined (re-joins of a known peer not counted).");
        _left = meter.CreateCounter<long>("mlaspire.bootstrap.peers.left", "{peer}", "Peers that left.");
        _dropped = meter.CreateCounter<long>("mlaspire.bootstrap.peers.dropped", "{peer}", "Peers dropped for missing their heartbeats.");
        // Exported from the start at zero, so that rate() and dashboards see the series before the first event.
        _joined.Add(0);
        _left.Add(0);
        _dropped.Add(0);
        meter.CreateObservableGauge("mlaspire.bootstrap.peers.active", activePeers, "{peer}", "Current members.");
    }

    public void Joined() => _joined.Add(1);

    public void Left() => _left.Add(1);

    public void Dropped() => _dropped.Add(1);
}
