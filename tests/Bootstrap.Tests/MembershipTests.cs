using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using MlAspire.Bootstrap.Grpc;

namespace MlAspire.Bootstrap.Tests;

public sealed class MembershipTests
{
    [Fact]
    public async Task A_second_peer_is_told_about_the_first()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var p1 = new TestMember();
        using var p2 = new TestMember();

        var first = await client.JoinAsync(p1.Join(metricsAddress: "p1.peers.test:8080"));
        var second = await client.JoinAsync(p2.Join());

        Assert.Empty(first.Peers);
        var known = Assert.Single(second.Peers);
        Assert.Equal(p1.Id, known.PeerId);
        Assert.Equal($"http://{p1.Id}.peers.test:5001", known.GrpcAddress);
        Assert.Equal([$"/dns4/{p1.Id}.peers.test/tcp/4001"], known.IpfsSwarmAddresses);
        Assert.Equal("12D3KooW" + p1.Id, known.IpfsPeerId);
        Assert.Equal("p1.peers.test:8080", known.MetricsAddress);
        Assert.True(known.JoinedAtMs > 0 && known.LastSeenMs >= known.JoinedAtMs);
        Assert.Equal(first.GenesisCid, second.GenesisCid);
        Assert.Equal((0, 1), (first.Data.Slot, second.Data.Slot));

        var listed = await client.ListPeersAsync(new ListPeersRequest());
        Assert.Equal(new[] { p1.Id, p2.Id }.Order(StringComparer.Ordinal), listed.Peers.Select(p => p.PeerId));
    }

    [Fact]
    public async Task Heartbeats_keep_a_peer_and_silence_drops_it_while_watchers_see_every_change()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider();
        // Heartbeats every 5 s; the default peer timeout is three of them.
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:HeartbeatInterval"] = "00:00:05" }, time).Start();
        var client = host.CreateGrpcClient();
        using var early = new TestMember(time);
        using var steady = new TestMember(time);
        using var silent = new TestMember(time);
        await client.JoinAsync(early.Join());
        using var watch = client.WatchPeers(new WatchPeersRequest());

        var snapshot = await watch.NextAsync();
        Assert.Equal(PeerEvent.Types.Kind.Snapshot, snapshot.Kind);
        Assert.Equal([early.Id], snapshot.Peers.Select(p => p.PeerId));

        await client.JoinAsync(steady.Join());
        await client.JoinAsync(silent.Join());
        Assert.Equal((PeerEvent.Types.Kind.Joined, steady.Id), Describe(await watch.NextAsync()));
        Assert.Equal((PeerEvent.Types.Kind.Joined, silent.Id), Describe(await watch.NextAsync()));

        time.Advance(TimeSpan.FromSeconds(10));
        var heartbeat = await client.HeartbeatAsync(steady.Heartbeat(new PeerStatus { TangleSize = 12, Tips = 3, ReferenceAccuracy = 0.75 }));
        Assert.True(heartbeat.Known);
        time.Advance(TimeSpan.FromSeconds(10));

        // "early" and "silent" have been silent for 20 s, "steady" for 10 s.
        var dropped = new[] { Describe(await watch.NextAsync()), Describe(await watch.NextAsync()) };
        Assert.Equal(new[] { (PeerEvent.Types.Kind.Dropped, early.Id), (PeerEvent.Types.Kind.Dropped, silent.Id) }.Order(), dropped.Order());
        var listed = Assert.Single((await client.ListPeersAsync(new ListPeersRequest())).Peers);
        Assert.Equal(steady.Id, listed.PeerId);
        Assert.Equal(new PeerStatus { TangleSize = 12, Tips = 3, ReferenceAccuracy = 0.75 }, listed.Status);
        Assert.Equal(time.GetUtcNow().AddSeconds(-10).ToUnixTimeMilliseconds(), listed.LastSeenMs);

        // A dropped peer learns it is forgotten from its next heartbeat, and joins again.
        Assert.False((await client.HeartbeatAsync(silent.Heartbeat())).Known);
        await client.JoinAsync(silent.Join());
        Assert.Equal((PeerEvent.Types.Kind.Joined, silent.Id), Describe(await watch.NextAsync()));

        await client.LeaveAsync(steady.Leave());
        Assert.Equal((PeerEvent.Types.Kind.Left, steady.Id), Describe(await watch.NextAsync()));
        await client.LeaveAsync(steady.Leave());
        Assert.Equal([silent.Id], (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));
    }

    [Fact]
    public async Task A_rejoin_updates_the_addresses_and_tells_watchers()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var p1 = new TestMember();
        await client.JoinAsync(p1.Join());
        using var watch = client.WatchPeers(new WatchPeersRequest());
        await watch.NextAsync();

        var moved = TestCalls.JoinRequest(p1.Id);
        moved.GrpcAddress = "http://elsewhere.peers.test:6001";
        await client.JoinAsync(moved.SignedBy(p1.Key, p1.NextTimeMs()));

        var updated = await watch.NextAsync();
        Assert.Equal((PeerEvent.Types.Kind.Updated, p1.Id), Describe(updated));
        Assert.Equal("http://elsewhere.peers.test:6001", updated.Peer.GrpcAddress);
        Assert.Equal("http://elsewhere.peers.test:6001", Assert.Single((await client.ListPeersAsync(new ListPeersRequest())).Peers).GrpcAddress);
    }

    [Fact]
    public async Task A_full_bootstrap_refuses_new_peers_but_not_known_ones()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:MaxPeers"] = "2" }).Start();
        var client = host.CreateGrpcClient();
        using var p1 = new TestMember();
        using var p2 = new TestMember();
        using var p3 = new TestMember();
        await client.JoinAsync(p1.Join());
        await client.JoinAsync(p2.Join());

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.JoinAsync(p3.Join()).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("full", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Bootstrap:MaxPeers", refused.Status.Detail, StringComparison.Ordinal);

        await client.JoinAsync(p1.Join());
        await client.LeaveAsync(p2.Leave());
        await client.JoinAsync(p3.Join());
        Assert.Equal(new[] { p1.Id, p3.Id }.Order(StringComparer.Ordinal), (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));
    }

    [Fact]
    public async Task Stopping_the_bootstrap_ends_open_watches_promptly()
    {
        using var data = new TempDirectory();
        var host = new BootstrapHost(data.Path).Start();
        // A channel of its own: the host disposes those it created.
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        using var watch = new Grpc.Bootstrap.BootstrapClient(channel).WatchPeers(new WatchPeersRequest());
        await watch.NextAsync();

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await host.DisposeAsync();

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.NextAsync());
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("p.test:5001", "")]
    [InlineData("ftp://p.test", "")]
    [InlineData("http://p.test:5001", "http://p.test:8080")]
    [InlineData("http://p.test:5001", "p.test")]
    [InlineData("http://p.test:5001", "p.test:99999")]
    public async Task A_malformed_join_is_an_invalid_argument(string grpcAddress, string metricsAddress)
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember();

        var request = new JoinRequest { PeerId = peer.Id, GrpcAddress = grpcAddress, MetricsAddress = metricsAddress }.SignedBy(peer.Key, peer.NextTimeMs());
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.JoinAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Empty((await client.ListPeersAsync(new ListPeersRequest())).Peers);
    }

    private static (PeerEvent.Types.Kind Kind, string PeerId) Describe(PeerEvent change) => (change.Kind, change.Peer.PeerId);
}
