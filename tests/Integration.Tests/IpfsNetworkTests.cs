using MlAspire.Storage.Tests.Ipfs;

namespace MlAspire.Integration.Tests;

/// <summary>Real peers on real js-ipfs nodes: announcements over IPFS pubsub, weights and parents over bitswap.</summary>
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
        var starting = new[] { JsIpfsNode.StartAsync(Path.Combine(tools, "start-node.sh"), Patience), JsIpfsNode.StartAsync(Path.Combine(tools, "start-node.sh"), Patience) };
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            _nodes.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }
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
}
