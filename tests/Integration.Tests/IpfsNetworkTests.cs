using MlAspire.Storage.Tests.Ipfs;

namespace MlAspire.Integration.Tests;

/// <summary>Real peers on real js-ipfs nodes: announcements over IPFS pubsub, weights and parents over bitswap.</summary>
[Collection(RunsAlone.Name)]
public sealed class IpfsNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly LocalCluster _cluster = new();
    private readonly List<JsIpfsNode> _nodes = [];

    public async Task InitializeAsync()
    {
        var tools = Path.Combine(Repository.Root, "tools", "ipfs");
        if (!File.Exists(Path.Combine(tools, "node_modules", ".bin", "jsipfs")))
            Assert.Fail("js-ipfs is not installed: run `bash tools/ipfs/setup.sh` (tests/run.sh does).");
        _nodes.AddRange(await JsIpfsNode.StartManyAsync(Path.Combine(tools, "start-node.sh"), 2, Patience));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        foreach (var node in _nodes)
            await node.DisposeAsync();
    }

    [Fact]
    public async Task A_transaction_published_by_one_peer_reaches_the_other_through_ipfs()
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("ipfs-a", ipfsApi: _nodes[0].ApiAddress.ToString());
        var b = _cluster.StartPeer("ipfs-b", ipfsApi: _nodes[1].ApiAddress.ToString());

        string? fromA = null;
        await Eventually.TrueAsync(async () =>
        {
            var idA = (await a.StatusAsync()).PeerId;
            fromA = (await b.TransactionsAsync()).FirstOrDefault(t => t.Publisher == idA)?.Cid;
            return fromA is not null && (await b.StatusAsync()).TangleSize >= 6;
        }, Patience, _cluster.Logs);

        // Catch-up over gRPC happens once per neighbour in IPFS mode; what keeps arriving after it came over pubsub.
        var idA = (await a.StatusAsync()).PeerId;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var seen = (await b.TransactionsAsync()).Count(t => t.Publisher == idA);
        await Eventually.TrueAsync(async () => (await b.TransactionsAsync()).Count(t => t.Publisher == idA) >= seen + 3, Patience, _cluster.Logs);

        // B's own IPFS node holds A's transaction and its weights: they came over bitswap, not over gRPC.
        var document = MlAspire.Storage.Transactions.TransactionCodec.Decode(await _nodes[1].Client.BlockGetAsync(fromA!, TimeSpan.FromSeconds(10), default));
        Assert.NotEmpty(await _nodes[1].Client.BlockGetAsync(document.Weights.ToString(), TimeSpan.FromSeconds(10), default));
        Assert.Contains(fromA, await _nodes[1].Client.PinLsAsync(default, "direct"));
        foreach (var peer in new[] { a, b })
        {
            var status = await peer.StatusAsync();
            Assert.Equal("ipfs", status.StorageKind);
            Assert.True(status.Rejected == 0, $"{peer.Name} rejected {status.RejectedByReason}:\n{_cluster.Logs()}");
        }
    }

    [Fact]
    public async Task A_killed_ipfs_node_comes_back_and_its_peer_catches_up_while_the_other_keeps_learning()
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("ipfs-a", ipfsApi: _nodes[0].ApiAddress.ToString());
        var b = _cluster.StartPeer("ipfs-b", ipfsApi: _nodes[1].ApiAddress.ToString());
        string idA = "", idB = "";
        await Eventually.TrueAsync(async () =>
        {
            (idA, idB) = ((await a.StatusAsync()).PeerId, (await b.StatusAsync()).PeerId);
            return (await b.TransactionsAsync()).Any(t => t.Publisher == idA) && (await a.TransactionsAsync()).Any(t => t.Publisher == idB);
        }, Patience, _cluster.Logs);

        // B's IPFS node crashes: B's peer process stays up but can neither store nor hear announcements; A goes on alone.
        _nodes[1].Kill();
        var sizeWhenKilled = (await a.StatusAsync()).TangleSize;
        await Eventually.TrueAsync(async () => (await a.StatusAsync()).TangleSize >= sizeWhenKilled + 5, Patience, _cluster.Logs);
        var publishedDuringOutage = (await a.TransactionsAsync()).Where(t => t.Publisher == idA && t.Sequence >= sizeWhenKilled).Select(t => t.Cid).ToList();
        Assert.False(b.Process.HasExited, _cluster.Logs());

        // The node is restarted on its repo (as a container with a volume would be); B catches up on everything A
        // published meanwhile (announcements it never heard: repaired from A), and publishes again.
        await _nodes[1].RestartAsync(Patience);
        var publishedByB = (await a.TransactionsAsync()).Count(t => t.Publisher == idB);
        await Eventually.TrueAsync(async () =>
        {
            var onB = (await b.TransactionsAsync()).Select(t => t.Cid).ToHashSet();
            return publishedDuringOutage.All(onB.Contains) && (await a.TransactionsAsync()).Count(t => t.Publisher == idB) > publishedByB;
        }, Patience, _cluster.Logs);

        // What B caught up on is in its own IPFS node, and nothing was corrupted: a transaction B was storing at the
        // instant of the crash may be lost, nothing else may be rejected.
        Assert.Contains(publishedDuringOutage[^1], await _nodes[1].Client.PinLsAsync(default, "direct"));
        string[] lossAfterCrash = ["unknown_parent", "weights_unavailable"];
        foreach (var peer in new[] { a, b })
        {
            var status = await peer.StatusAsync();
            Assert.True(status.RejectedByReason.Keys.All(lossAfterCrash.Contains), $"{peer.Name} rejected {status.RejectedByReason}:\n{_cluster.Logs()}");
        }
    }
}
