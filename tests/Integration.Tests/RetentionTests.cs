using MlAspire.Peer.Grpc;

namespace MlAspire.Integration.Tests;

/// <summary>Retention keeps a peer's store under its cap however long it runs, and never releases every publisher's newest model or the reference.</summary>
[Collection(RunsAlone.Name)]
public sealed class RetentionTests : IAsyncLifetime
{
    private const long Cap = 1_500_000; // about 45 logistic-regression weights blocks
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);
    private static readonly Dictionary<string, string> TightRetention = new()
    {
        ["Peer__RetentionHorizon"] = "30",
        ["Peer__MinimumRetentionHorizon"] = "10",
        ["Peer__DocumentRetentionHorizon"] = "60",
        ["Peer__DocumentsInMemory"] = "20", // older documents are served from the store, and from memory again once released from it
        ["Peer__RetentionInterval"] = "00:00:01",
        ["Peer__StorageCap"] = Cap.ToString(),
    };
    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_store_stays_under_its_cap_the_newest_models_stay_fetchable_and_a_late_joiner_still_catches_up()
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("peer-a", settings: TightRetention);
        var b = _cluster.StartPeer("peer-b", settings: TightRetention);

        // Far more weights than the cap holds: without retention the store would pass 4 MB.
        await Eventually.TrueAsync(async () => (await a.StatusAsync()).TangleSize >= 130, Patience, _cluster.Logs);
        await Task.Delay(TimeSpan.FromSeconds(2)); // one more retention pass

        foreach (var peer in new[] { a, b })
        {
            var onDisk = Directory.EnumerateFiles(Path.Combine(peer.DataDirectory, "store", "blocks")).Sum(f => new FileInfo(f).Length);
            Assert.True(onDisk <= Cap, $"{peer.Name} stores {onDisk:N0} bytes, over the {Cap:N0} cap");
            var status = await peer.StatusAsync();
            Assert.InRange(status.StoreBytes, 1, Cap);

            // Each publisher's newest transaction and the reference still have their weights served.
            var transactions = await peer.TransactionsAsync();
            var newest = transactions.GroupBy(t => t.Publisher).Select(g => g.MaxBy(t => t.Sequence)!.Cid);
            var needed = newest.Append(status.ReferenceCid).Distinct().ToList();
            Assert.NotEmpty(needed);
            foreach (var cid in needed)
            {
                var transaction = await peer.Sync.GetTransactionAsync(new GetTransactionRequest { Cid = cid });
                Assert.False(transaction.WeightsReleased, $"{peer.Name} released the weights of {cid}, a publisher's newest or its reference");
                var weights = MlAspire.Storage.Transactions.TransactionCodec.Decode(transaction.Document.ToByteArray()).Weights;
                Assert.NotEmpty((await peer.Sync.GetBlockAsync(new GetBlockRequest { Cid = weights.ToString() })).Data);
            }
            Assert.Contains(transactions, t => t.WeightsReleased);

            // Every record is listed, none skipped: the older ones' documents are read from the store.
            Assert.Equal(Enumerable.Range(0, transactions.Count).Select(i => (long)i), transactions.Select(t => t.Sequence).Order());
            // History beyond its horizon has left the store too, yet the replica still serves it: it took the document back
            // into memory before unpinning it.
            var oldest = transactions.Single(t => t.Sequence == 1).Cid;
            var gone = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await peer.Sync.GetBlockAsync(new GetBlockRequest { Cid = oldest }));
            Assert.Equal(Grpc.Core.StatusCode.NotFound, gone.StatusCode);
            Assert.Equal(oldest, (await peer.Sync.GetTransactionAsync(new GetTransactionRequest { Cid = oldest })).Cid);
        }

        // Old history no longer has weights (nor documents in any store); a late joiner takes it for its place in the DAG and learns on.
        var sizeBefore = (await a.StatusAsync()).TangleSize;
        var c = _cluster.StartPeer("peer-c", settings: TightRetention);
        await Eventually.TrueAsync(async () => (await c.StatusAsync()).TangleSize >= sizeBefore, Patience, _cluster.Logs);
        var idC = (await c.StatusAsync()).PeerId;
        await Eventually.TrueAsync(async () => (await a.TransactionsAsync()).Any(t => t.Publisher == idC), Patience, _cluster.Logs);
    }
}
