using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Transactions;
using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// Two members register endpoints that accept connections and never answer. Honest peers must not wait on them in
/// turn: their blocks must still travel between them within the fetch deadline, they must stop following and asking
/// the silent members once those have missed their deadlines, and their heartbeats must still reach the Bootstrap
/// within the peer timeout.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class BlackholedMemberTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Valid libp2p peer ids (two public IPFS bootstrap nodes'), which nothing here answers for.</summary>
    /// <summary>The most a registration may carry (Bootstrap's PeerRecord); db27f22 allowed 16, and failed with either.</summary>
    private const int SwarmAddressesAllowed = 8;

    private static readonly string[] UnreachableIpfsNodes = ["QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN", "QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa"];

    // A fetch that fails by cancellation ends the gossip stream (logged at Debug) instead of being counted: show it.
    private static readonly Dictionary<string, string> GossipDebugLog = new() { ["Logging__LogLevel__MlAspire.Peer.Network.GossipService"] = "Debug" };

    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<Blackhole> _blackholes = [];
    private readonly List<PeerKey> _keys = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
            await disposable.DisposeAsync();
        await _cluster.DisposeAsync();
        _blackholes.ForEach(b => b.Dispose());
        _keys.ForEach(k => k.Dispose());
    }

    [Fact]
    public async Task Embedded_peers_still_get_each_others_weights_when_two_members_never_answer_and_stop_asking_them()
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("honest-a", settings: GossipDebugLog);
        var b = _cluster.StartPeer("honest-b", settings: GossipDebugLog);
        var (idA, idB) = await ExchangingAsync(a, b);

        for (var i = 0; i < 2; i++)
        {
            var endpoint = Hole();
            var key = KeySortingBefore(idA, idB);
            _disposables.Add((await Membership.JoinAsync(_cluster.BootstrapClient(), new MemberClaim(key, endpoint.GrpcAddress))).KeepAlive());
            _report.Note($"blackholed member {key.Id} at {endpoint.GrpcAddress} (sorts before {idA} and {idB})");
        }
        // Both honest peers have dialled both blackholes: from now on any block they fetch may ask them (after the announcer).
        await Eventually.TrueAsync(() => Task.FromResult(_blackholes.All(h => h.Connections >= 2)), Patience, _cluster.Logs);
        var seenByB = (await b.TransactionsAsync()).Count(t => t.Publisher == idA);
        var seenByA = (await a.TransactionsAsync()).Count(t => t.Publisher == idB);

        var exchanged = await Eventually.WithinAsync(async () =>
            (await b.TransactionsAsync()).Count(t => t.Publisher == idA) >= seenByB + 3
            && (await a.TransactionsAsync()).Count(t => t.Publisher == idB) >= seenByA + 3, Patience);
        _report.Note($"within {Patience.TotalSeconds:F0} s: B got {(await b.TransactionsAsync()).Count(t => t.Publisher == idA) - seenByB} more of A's transactions, A got {(await a.TransactionsAsync()).Count(t => t.Publisher == idB) - seenByA} more of B's");
        _report.Note(await a.DescribeAsync());
        _report.Note(await b.DescribeAsync());
        _report.Note($"honest-a's gossip log: {string.Join(" | ", a.Process.Output.Split('\n').Where(l => l.Contains("ended", StringComparison.Ordinal) || l.Contains("Rejected", StringComparison.Ordinal)).Select(l => l.Trim()).Take(3))}");

        Assert.True(exchanged, $"the honest peers stopped getting each other's transactions\n{_report}");
        foreach (var peer in new[] { a, b })
            Assert.True(await peer.RejectedAsync(RejectionLabels.WeightsUnavailable) == 0, $"{peer.Name} could not fetch weights\n{_report}");

        // Each catch-up pass on a blackhole waits its answer deadline (30 s); after two misses in a row it is benched.
        var benched = await Eventually.WithinAsync(async () => await a.MetricAsync(BenchedGauge) >= 2 && await b.MetricAsync(BenchedGauge) >= 2, TimeSpan.FromSeconds(120));
        _report.Note($"neighbours benched: honest-a {await a.MetricAsync(BenchedGauge)}, honest-b {await b.MetricAsync(BenchedGauge)}");
        _report.Note($"honest-a's bench log: {string.Join(" | ", a.Process.Output.Split('\n').Where(l => l.Contains("deadlines in a row", StringComparison.Ordinal) || l.Contains("paused", StringComparison.Ordinal)).Select(l => l.Trim()).Take(6))}");
        Assert.True(benched, $"the honest peers kept following and asking members that never answer\n{_report}");
    }

    private const string BenchedGauge = "mlaspire_peer_neighbours_benched";

    [Fact]
    public async Task Ipfs_peers_stay_registered_when_two_members_advertise_as_many_swarm_addresses_as_allowed_that_never_answer()
    {
        var nodes = await JsIpfsNodes.StartAsync(2);
        _disposables.AddRange(nodes);
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("ipfs-a", ipfsApi: nodes[0].ApiAddress.ToString());
        var b = _cluster.StartPeer("ipfs-b", ipfsApi: nodes[1].ApiAddress.ToString());
        var (idA, idB) = await ExchangingAsync(a, b, TimeSpan.FromSeconds(60));

        var bootstrap = _cluster.BootstrapClient();
        var claims = new List<MemberClaim>();
        for (var i = 0; i < 2; i++)
        {
            var swarm = Enumerable.Range(0, SwarmAddressesAllowed).Select(_ => Hole().SwarmAddress).ToList();
            claims.Add(new MemberClaim(KeySortingBefore(idA, idB), Hole().GrpcAddress, SwarmAddresses: swarm, IpfsPeerId: UnreachableIpfsNodes[i]));
        }
        var blackholed = claims.Select(c => c.PeerId).ToList();
        var controls = new List<Membership>();
        async Task JoinBlackholedAsync()
        {
            foreach (var dropped in controls)
                await dropped.DisposeAsync(); // its heartbeats, under its own proof clock, would race the new membership's
            controls.Clear();
            foreach (var claim in claims)
                controls.Add((await Membership.JoinAsync(bootstrap, claim)).KeepAlive());
        }
        await JoinBlackholedAsync();
        _report.Note($"two blackholed members joined, {SwarmAddressesAllowed} swarm addresses each");

        // Peers heartbeat every second and are dropped after three silent seconds (LocalCluster's Bootstrap settings).
        // The blackholed members heartbeat from this process, far from any IPFS node: they are the control. Dropped with
        // the honest peers, the Bootstrap (or the whole machine) stalled, which says nothing of the honest peers; CI saw
        // that once, all four last seen within 110 ms. Such a watch proves nothing either way: the controls join again
        // and the watch starts over, once; a second stall fails the test as inconclusive.
        var watched = TimeSpan.FromSeconds(25);
        string? dropped = null, stalled = null;
        for (var attempt = 0; attempt < 2 && dropped is null && (attempt == 0 || stalled is not null); attempt++)
        {
            if (stalled is not null)
            {
                _report.Note(stalled);
                await JoinBlackholedAsync();
                await Eventually.TrueAsync(async () => (await bootstrap.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId).ToHashSet()
                    is var listed && new[] { idA, idB }.Concat(blackholed).All(listed.Contains), Patience, _cluster.Logs);
                stalled = null;
            }
            var started = DateTime.UtcNow;
            while (DateTime.UtcNow - started < watched && dropped is null && stalled is null)
            {
                var listed = (await bootstrap.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId).ToHashSet();
                var missing = new[] { idA, idB }.Where(id => !listed.Contains(id)).ToList();
                var at = $"{(DateTime.UtcNow - started).TotalSeconds:F1} s into watch {attempt + 1}";
                if (!blackholed.All(listed.Contains))
                    stalled = $"the Bootstrap dropped the control members {at} (honest ones missing: {missing.Count}): it or the machine stalled";
                else if (missing.Count > 0)
                    dropped = $"{string.Join(", ", missing)} not listed {at}, while both control members were";
                await Task.Delay(200);
            }
        }
        _disposables.AddRange(controls);
        _report.Note(dropped ?? stalled ?? $"both honest peers listed throughout {watched.TotalSeconds:F0} s");
        _report.Note($"dials the blackholes accepted: {_blackholes.Sum(h => h.Connections)}");
        _report.Note($"bootstrap log: {string.Join(" | ", _cluster.Bootstrap!.Output.Split('\n').Where(l => l.Contains("Dropped", StringComparison.Ordinal)).Take(4))}");

        Assert.True(dropped is null, $"an honest peer was dropped\n{_report}");
        Assert.True(stalled is null, $"inconclusive: the Bootstrap dropped the control members in both watches\n{_report}");
    }

    /// <summary>Waits until each honest peer holds a transaction of the other; returns their ids.</summary>
    private async Task<(string A, string B)> ExchangingAsync(RunningPeer a, RunningPeer b, TimeSpan? patience = null)
    {
        string idA = "", idB = "";
        await Eventually.TrueAsync(async () =>
        {
            (idA, idB) = ((await a.StatusAsync()).PeerId, (await b.StatusAsync()).PeerId);
            return (await b.TransactionsAsync()).Any(t => t.Publisher == idA) && (await a.TransactionsAsync()).Any(t => t.Publisher == idB);
        }, patience ?? Patience, _cluster.Logs);
        return (idA, idB);
    }

    private Blackhole Hole()
    {
        var hole = new Blackhole();
        _blackholes.Add(hole);
        return hole;
    }

    private PeerKey KeySortingBefore(string idA, string idB)
    {
        var key = PeerKeys.SortingBefore([idA, idB]);
        _keys.Add(key);
        return key;
    }
}
