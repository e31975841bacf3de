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
}
