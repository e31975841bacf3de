extern alias BootstrapApp;

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using BootstrapApp::MlAspire.Bootstrap;
using BootstrapApp::MlAspire.Bootstrap.Membership;

namespace MlAspire.Bootstrap.Tests;

public sealed class MembershipRegistryTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_watcher_that_falls_behind_is_dropped_while_the_others_see_every_change()
    {
        var registry = CreateRegistry(new BootstrapOptions { WatchBufferSize = 2, MaxWatchers = 3 });
        using var slow = registry.Watch();
        using var reader = registry.Watch();
        var seen = new List<string>();

        for (var i = 0; i < 3; i++)
        {
            registry.Join(Registration($"p{i}"));
            seen.Add((await reader.Changes.ReadAsync()).Peer.PeerId);
        }

        Assert.Equal(["p0", "p1", "p2"], seen);
        // The slow watcher gets what fitted in its buffer, then the reason it was dropped.
        Assert.Equal("p0", (await slow.Changes.ReadAsync()).Peer.PeerId);
        Assert.Equal("p1", (await slow.Changes.ReadAsync()).Peer.PeerId);
        await Assert.ThrowsAsync<WatchOverflowException>(async () => await slow.Changes.ReadAllAsync().ToListAsync());
        // Its place is free again: two more watches fit under MaxWatchers = 3.
        using var second = registry.Watch();
        using var third = registry.Watch();
        Assert.Throws<MembershipLimitException>(() => registry.Watch());
    }

    [Fact]
    public async Task Many_watchers_see_the_same_changes_in_the_same_order()
    {
        var registry = CreateRegistry(new BootstrapOptions { WatchBufferSize = 64 });
        var watches = Enumerable.Range(0, 100).Select(_ => registry.Watch()).ToList();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => registry.Join(Registration($"p{i}")))));
        registry.Leave("p3");

        var orders = new List<string>();
        foreach (var watch in watches)
        {
            var changes = new List<string>();
            for (var i = 0; i < 21; i++)
            {
                var change = await watch.Changes.ReadAsync();
                changes.Add($"{change.Kind}:{change.Peer.PeerId}");
            }
            watch.Dispose();
            orders.Add(string.Join(',', changes));
        }
        Assert.Single(orders.Distinct());
    }

    [Fact]
    public void A_watch_starts_from_the_membership_at_that_moment()
    {
        var registry = CreateRegistry(new BootstrapOptions());
        registry.Join(Registration("before"));

        using var watch = registry.Watch();
        registry.Join(Registration("after"));

        Assert.Equal(["before"], watch.Snapshot.Select(p => p.PeerId));
        Assert.True(watch.Changes.TryRead(out var change));
        Assert.Equal((MembershipChangeKind.Joined, "after"), (change.Kind, change.Peer.PeerId));
        Assert.False(watch.Changes.TryRead(out _));
    }

    [Fact]
    public void Data_slots_go_to_the_fewest_holders_and_stay_with_a_member()
    {
        var registry = CreateRegistry(new BootstrapOptions { Data = new DataOptions { Slots = 3 } });

        var slots = new[] { "a", "b", "c", "d" }.Select(id => registry.Join(Registration(id)).Peer.DataSlot).ToList();
        registry.Leave("b");
        var e = registry.Join(Registration("e"));
        var again = registry.Join(Registration("d"));

        Assert.Equal([0, 1, 2, 0], slots);
        Assert.Equal((MembershipChangeKind.Joined, 1), (e.Kind, e.Peer.DataSlot));
        Assert.Equal((MembershipChangeKind.Updated, 0), (again.Kind, again.Peer.DataSlot));
    }

    [Fact]
    public void Peers_are_dropped_once_silent_for_the_peer_timeout()
    {
        var registry = CreateRegistry(new BootstrapOptions { HeartbeatInterval = TimeSpan.FromSeconds(1), PeerTimeout = TimeSpan.FromSeconds(10) });
        registry.Join(Registration("p1"));

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(registry.DropSilentPeers());
        Assert.NotNull(registry.Heartbeat("p1", new LearningStatus(5, 2, 0.5)));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(registry.DropSilentPeers());
        _time.Advance(TimeSpan.FromSeconds(1));

        var dropped = Assert.Single(registry.DropSilentPeers());
        Assert.Equal(new LearningStatus(5, 2, 0.5), dropped.Status);
        Assert.Empty(registry.Peers);
        Assert.Null(registry.Heartbeat("p1", null));
    }

    [Fact]
    public void Metrics_count_joins_leaves_and_drops_and_observe_the_active_peers()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        var registry = CreateRegistry(new BootstrapOptions { HeartbeatInterval = TimeSpan.FromSeconds(1) });
        using var joined = new MetricCollector<long>(meterFactory, MembershipMetrics.MeterName, "mlaspire.bootstrap.peers.joined");
        using var left = new MetricCollector<long>(meterFactory, MembershipMetrics.MeterName, "mlaspire.bootstrap.peers.left");
        using var dropped = new MetricCollector<long>(meterFactory, MembershipMetrics.MeterName, "mlaspire.bootstrap.peers.dropped");
        using var active = new MetricCollector<int>(meterFactory, MembershipMetrics.MeterName, "mlaspire.bootstrap.peers.active");

        registry.Join(Registration("p1"));
        registry.Join(Registration("p1"));
        registry.Join(Registration("p2"));
        registry.Join(Registration("p3"));
        registry.Leave("p2");
        active.RecordObservableInstruments();
        Assert.Equal(2, active.LastMeasurement?.Value);
        registry.Heartbeat("p3", null);
        _time.Advance(TimeSpan.FromSeconds(3));
        registry.DropSilentPeers();

        Assert.Equal(3, joined.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, left.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, dropped.GetMeasurementSnapshot().EvaluateAsCounter());
        active.RecordObservableInstruments();
        Assert.Equal(0, active.LastMeasurement?.Value);
        Assert.Equal("{peer}", joined.Instrument?.Unit);
    }

    public void Dispose() => _services.Dispose();

    private MembershipRegistry CreateRegistry(BootstrapOptions options) =>
        new(Options.Create(options), _time, _services.GetRequiredService<IMeterFactory>());

    private static PeerRegistration Registration(string peerId) => new(peerId, $"http://{peerId}.peers.test:5001", [], "", "");
}
