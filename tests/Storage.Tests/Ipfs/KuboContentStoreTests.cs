using System.Text;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>The IPFS backend computes exactly the CIDs the embedded store computes, on real js-ipfs nodes.</summary>
[Collection(IpfsNodesCollection.Name)]
public sealed class KuboContentStoreTests(IpfsNodesFixture nodes)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_signed_transaction_and_its_weights_get_the_same_cids_in_ipfs_and_travel_between_nodes()
    {
        var a = new KuboContentStore(nodes.A.Client);
        var b = new KuboContentStore(nodes.B.Client);
        using var key = PeerKey.Create();
        using var tangle = new MlAspire.Tests.Shared.TestTangle();
        var weights = WeightCodec.Encode(Models.Create(ModelShape.Mlp(784, 64, 10)).Initialize(new Random(3)));
        var genesis = tangle.Genesis;
        var parent = Cid.Compute(ContentCodec.DagJson, "some parent"u8);

        var weightsCid = await a.PutAsync(ContentCodec.Raw, weights, default);
        var document = TransactionDocument.CreateSigned(genesis, [parent], weightsCid, 1_764_000_000_123, new TransactionMetrics(0.123456789, 0.875, 320), key, tangle.Credential(key));
        var bytes = TransactionCodec.Encode(document);
        var cid = await a.PutAsync(ContentCodec.DagJson, bytes, default); // throws if IPFS re-encoded the bytes

        Assert.Equal(Cid.Compute(ContentCodec.DagJson, bytes), cid);
        Assert.Equal(Cid.Compute(ContentCodec.Raw, weights), weightsCid);
        Assert.Equal(bytes, await b.GetAsync(cid, Timeout, default));
        Assert.Equal(weights, await b.GetAsync(weightsCid, Timeout, default));
        Assert.Equal(bytes, TransactionCodec.Encode(tangle.Verifier().Verify(cid, await b.GetAsync(cid, Timeout, default))));

        // Any IPFS tool can walk the tangle: dag get shows parents and weights as links.
        var shown = Encoding.UTF8.GetString(await nodes.B.Client.DagGetAsync(cid.ToString(), Timeout, default));
        Assert.Contains($"{{\"/\":\"{parent}\"}}", shown);
        Assert.Contains($"{{\"/\":\"{weightsCid}\"}}", shown);
        Assert.Contains(cid, await a.PinsAsync(default));
        Assert.Contains(weightsCid, await a.PinsAsync(default));
    }

    [Fact]
    public async Task Unpinned_blocks_are_collected_and_pinned_ones_stay()
    {
        var store = new KuboContentStore(nodes.A.Client);
        var kept = await store.PutAsync(ContentCodec.Raw, Encoding.UTF8.GetBytes($"kept {Guid.NewGuid()}"), default);
        var keptDocument = await store.PutAsync(ContentCodec.DagJson, Encoding.UTF8.GetBytes($"{{\"kept\":\"{Guid.NewGuid()}\"}}"), default);
        var dropped = await store.PutAsync(ContentCodec.Raw, Encoding.UTF8.GetBytes($"dropped {Guid.NewGuid()}"), default);
        await store.UnpinAsync(dropped, default);

        var usage = await store.CollectGarbageAsync(default);

        Assert.True(await store.HasAsync(kept, default));
        Assert.True(await store.HasAsync(keptDocument, default));
        Assert.False(await store.HasAsync(dropped, default));
        Assert.True(usage.PinnedBlocks >= 1);
        Assert.True(usage.Bytes > 0);
    }

    [Fact]
    public async Task Every_block_is_pinned_directly_so_that_a_collection_reads_no_pinned_block()
    {
        // js-ipfs's collection reads every recursively pinned block to look for links, under the lock every pinned write
        // waits on: raw weights pinned recursively (as block/put pins them) stalled a whole js-ipfs network.
        var a = new KuboContentStore(nodes.A.Client);
        var b = new KuboContentStore(nodes.B.Client);
        var weights = await a.PutAsync(ContentCodec.Raw, Encoding.UTF8.GetBytes($"weights {Guid.NewGuid()}"), default);
        var document = await a.PutAsync(ContentCodec.DagJson, Encoding.UTF8.GetBytes($"{{\"document\":\"{Guid.NewGuid()}\"}}"), default);
        var file = await a.PutFileAsync(Encoding.UTF8.GetBytes(new string('w', UnixFsFile.ChunkSize) + Guid.NewGuid()), default); // a chunked file: a dag-pb root over raw chunks
        var fetched = await b.PutAsync(ContentCodec.Raw, Encoding.UTF8.GetBytes($"fetched {Guid.NewGuid()}"), default);
        await a.FetchPinnedAsync(fetched, Timeout, default);

        var chunks = UnixFsFile.ReadRoot(await a.GetAsync(file, Timeout, default), long.MaxValue).Select(c => c.Cid);
        foreach (var cid in chunks.Concat([weights, document, file, fetched]))
        {
            Assert.False(await nodes.A.Client.IsPinnedAsync(cid.ToString(), "recursive", default), $"{cid} is pinned recursively");
            Assert.True(await a.IsPinnedAsync(cid, default), $"{cid} is not pinned directly");
        }
    }

    [Fact]
    public async Task Reading_the_usage_again_asks_the_node_about_no_block_it_has_seen()
    {
        // It asked block/stat of every pin after every collection (thousands, as history grows), and js-ipfs reads the
        // whole block to answer each.
        var counting = new CountingHandler { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(counting) { BaseAddress = nodes.A.ApiAddress };
        var store = new KuboContentStore(new KuboRpcClient(http));
        var put = await store.PutAsync(ContentCodec.Raw, Encoding.UTF8.GetBytes($"counted {Guid.NewGuid()}"), default);
        var first = await store.UsageAsync(default);
        Assert.DoesNotContain(counting.Calls, call => call.Contains("block/stat") && call.Contains(put.ToString())); // its size was seen at the put
        counting.Calls.Clear();

        var second = await store.UsageAsync(default);

        Assert.Contains(put, await store.PinsAsync(default));
        Assert.DoesNotContain(counting.Calls, call => call.Contains("block/stat"));
        Assert.Equal(first.PinnedBytes, second.PinnedBytes);
        Assert.True(second.PinnedBytes > 0);
    }

    [Fact]
    public async Task A_block_an_older_store_pinned_recursively_reads_as_pinned_and_pinning_it_again_is_no_error()
    {
        // Read as unpinned, a claim would take the pin for its own and remove it when the claim ends (PinClaims), though
        // the replica holds the block: a repo kept across the upgrade would lose held weights to a refused hostile file.
        var store = new KuboContentStore(nodes.A.Client);
        var legacy = (await nodes.A.Client.BlockPutAsync(Encoding.UTF8.GetBytes($"legacy {Guid.NewGuid()}"), pin: true, default)); // recursive, as block/put pins
        var cid = Cid.Parse(legacy);

        Assert.True(await store.IsPinnedAsync(cid, default));
        await store.PinAsync(cid, default);
        Assert.Contains(cid, await store.PinsAsync(default));
    }

    [Fact]
    public async Task A_block_is_lent_for_serving_in_one_local_read_and_a_missing_one_is_none()
    {
        var counting = new CountingHandler { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(counting) { BaseAddress = nodes.A.ApiAddress };
        var store = new KuboContentStore(new KuboRpcClient(http));
        var content = Encoding.UTF8.GetBytes($"served {Guid.NewGuid()}");
        var held = await store.PutAsync(ContentCodec.Raw, content, default);
        counting.Calls.Clear();

        using (var lease = await store.LendLocalAsync(held, default))
            Assert.Equal(content, lease!.Memory.ToArray());
        Assert.Single(counting.Calls);
        Assert.Null(await store.LendLocalAsync(Cid.Compute(ContentCodec.Raw, Encoding.UTF8.GetBytes($"nobody has {Guid.NewGuid()}")), default));
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Calls { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls.Add(request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
