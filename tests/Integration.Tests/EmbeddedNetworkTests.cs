namespace MlAspire.Integration.Tests;

/// <summary>Real Bootstrap and Peer processes learning together over gRPC with the embedded store.</summary>
[Collection(RunsAlone.Name)]
public sealed class EmbeddedNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <param name="native">
    /// Peers A and C run the native program (tools/native/publish.sh) beside B's <c>dotnet Peer.dll</c>: one network
    /// of both, each checking the other's transactions.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Peers_learn_together_and_a_late_joiner_catches_up(bool native)
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("peer-a", native: native);
        var b = _cluster.StartPeer("peer-b");
        AssertRuns(a, native);

        // A transaction A published is seen by B, with its weights fetched from A.
        string? fromA = null;
        await Eventually.TrueAsync(async () =>
        {
            var statusA = await a.StatusAsync();
            var seenByB = (await b.TransactionsAsync()).Where(t => t.Publisher == statusA.PeerId).ToList();
            fromA = seenByB.FirstOrDefault()?.Cid;
            return fromA is not null && (await b.StatusAsync()).TangleSize >= 10;
        }, Patience, _cluster.Logs);
        Assert.Equal(fromA, (await a.Sync.GetTransactionAsync(new MlAspire.Peer.Grpc.GetTransactionRequest { Cid = fromA })).Cid);

        // A late joiner catches up with everything already published, then keeps up.
        var before = (await a.StatusAsync()).TangleSize;
        var c = _cluster.StartPeer("peer-c", native: native);
        AssertRuns(c, native);
        await Eventually.TrueAsync(async () => (await c.StatusAsync()).TangleSize >= before, Patience, _cluster.Logs);
        var statusC = await c.StatusAsync();
        await Eventually.TrueAsync(async () =>
            (await a.TransactionsAsync()).Any(t => t.Publisher == statusC.PeerId), Patience, _cluster.Logs);

        foreach (var peer in new[] { a, b, c })
        {
            var status = await peer.StatusAsync();
            Assert.True(status.Rejected == 0, $"{peer.Name} rejected {status.Rejected}:\n{_cluster.Logs()}");
            Assert.Equal("embedded", status.StorageKind);
            Assert.False(peer.Process.HasExited);
            // The same status as JSON on the HTTP port, which operators and the AppHost's tests read.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{peer.HttpPort}") };
            using var page = await http.GetAsync("/");
            var body = await page.Content.ReadAsStringAsync();
            Assert.True(page.IsSuccessStatusCode, $"{peer.Name}'s status page: {(int)page.StatusCode} {body}");
            using var json = System.Text.Json.JsonDocument.Parse(body);
            Assert.Equal(status.PeerId, json.RootElement.GetProperty("peerId").GetString());
            Assert.True(json.RootElement.GetProperty("tangleSize").GetInt64() >= status.TangleSize);
            Assert.True(json.RootElement.GetProperty("rejectedByReason").ValueKind == System.Text.Json.JsonValueKind.Object, body);
        }
    }

    [Fact]
    public async Task Peers_that_each_follow_one_member_still_all_see_every_transaction()
    {
        // Following is bounded (8 by default; 1 here, so four peers form a ring of followers): each transaction must
        // travel through others' relays, hop by hop, to the peers that do not follow its publisher.
        _cluster.StartBootstrap();
        var following = new Dictionary<string, string> { ["Peer__FollowedMembers"] = "1" };
        var peers = new[] { "ring-a", "ring-b", "ring-c", "ring-d" }.Select(name => _cluster.StartPeer(name, settings: following)).ToList();

        await Eventually.TrueAsync(async () =>
        {
            var publishers = new List<string>();
            foreach (var peer in peers)
                publishers.Add((await peer.StatusAsync()).PeerId);
            foreach (var peer in peers)
            {
                var seen = (await peer.TransactionsAsync()).Select(t => t.Publisher).ToHashSet();
                if (!publishers.All(seen.Contains))
                    return false;
            }
            return true;
        }, Patience, _cluster.Logs);

        // Caught up: what one peer held a moment ago, every peer holds now.
        var held = (await peers[0].TransactionsAsync()).Select(t => t.Cid).ToList();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var peer in peers.Skip(1))
                if (!held.All((await peer.TransactionsAsync()).Select(t => t.Cid).ToHashSet().Contains))
                    return false;
            return true;
        }, Patience, _cluster.Logs);
        foreach (var peer in peers)
            Assert.True((await peer.StatusAsync()).Rejected == 0, $"{peer.Name} rejected transactions:\n{_cluster.Logs()}");
    }

    /// <param name="native">The honest peer runs the native program: its checks and their errors hold there too.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Forged_and_malformed_transactions_from_a_byzantine_peer_are_rejected_while_learning_goes_on(bool native)
    {
        _cluster.StartBootstrap();
        var honest = _cluster.StartPeer("honest", native: native);
        AssertRuns(honest, native);
        await Eventually.TrueAsync(async () => (await honest.StatusAsync()).TangleSize >= 3, Patience, _cluster.Logs);

        await using var forger = await Hostile.HostileMember.StartAsync();
        await forger.JoinAsync(_cluster.BootstrapClient());
        var forgeries = Hostile.Forgeries.Offer(forger, forger.Membership.Genesis);

        string[] reasons = ["bad_signature", "invalid_weights", "unknown_parent", "wrong_tangle", "malformed", "oversized", "cid_mismatch"];
        await Eventually.TrueAsync(async () =>
        {
            var rejected = (await honest.StatusAsync()).RejectedByReason;
            return reasons.All(rejected.ContainsKey) && rejected["invalid_weights"] >= 2; // wrong shape and NaN
        }, Patience, () => $"rejections {(honest.StatusAsync().Result.RejectedByReason)}\n{_cluster.Logs()}");
        var sizeAfterAttack = (await honest.StatusAsync()).TangleSize;
        var replica = (await honest.TransactionsAsync()).Select(t => t.Cid).ToHashSet();
        Assert.All(forgeries, f => Assert.DoesNotContain(f.Cid, replica));
        await Eventually.TrueAsync(async () => (await honest.StatusAsync()).TangleSize > sizeAfterAttack + 2, Patience, _cluster.Logs);
        Assert.False(honest.Process.HasExited);
    }

    /// <summary>What the kernel runs for the peer: the native program itself, or the dotnet host.</summary>
    private static void AssertRuns(RunningPeer peer, bool native)
    {
        var executable = new FileInfo($"/proc/{peer.Process.ProcessId}/exe").ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        if (native)
            Assert.Equal(ServiceProcess.NativeProgram("Peer"), executable);
        else
            Assert.Equal("dotnet", Path.GetFileName(executable));
    }
}
