using MlAspire.Peer.Engine;
using MlAspire.Peer.Hosting;
using MlAspire.Peer.Tests.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MlAspire.Peer.Tests.Hosting;

/// <summary>
/// Garbage collection locks an IPFS node's blockstore. On js-ipfs with 26 MB weights one took 4-7 s; collecting on every
/// 2 s retention pass kept the node collecting nearly all the time, and its block/put and pin/rm calls went unanswered
/// for 30 s (the LEAF CNN's js-ipfs test then missed its 20 transactions in 300 s).
/// </summary>
public sealed class RetentionServiceTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SlowCollection = TimeSpan.FromSeconds(5);

    private readonly string _root = Directory.CreateTempSubdirectory("retention-").FullName;
    private readonly TestTangle _tangle = new();

    public void Dispose()
    {
        _tangle.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_slow_collection_leaves_the_store_alone_nine_times_as_long_as_it_took()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var peer = new TestPeer(_tangle, _root, time);
        var store = new SlowlyCollectedStore(peer.Store, time, SlowCollection);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Peer:RetentionInterval"] = Interval.ToString() }).Build();
        using var service = new RetentionService(peer.Replica, store, new TransactionDocuments(peer.Replica, store), PinClaims.For(peer.Replica, store), new PeerStatusReporter(peer.Replica, store, peer.Key, peer.Metrics), peer.Metrics,
            configuration, time, NullLogger<RetentionService>.Instance);
        await service.StartAsync(default);

        var started = time.GetUtcNow();
        for (var pass = 0; pass < 60; pass++)
        {
            time.Advance(Interval);
            // The service runs its pass on the thread pool; give it the moment it needs (fake time does not move meanwhile).
            await Task.Delay(20);
        }
        await service.StopAsync(default);

        var elapsed = time.GetUtcNow() - started;
        var collecting = store.Collections * SlowCollection;
        Assert.True(store.Collections >= 2, $"retention collected {store.Collections} times in {elapsed.TotalSeconds:F0} s");
        Assert.True(collecting <= elapsed * 0.15,
            $"{store.Collections} collections of {SlowCollection.TotalSeconds:F0} s in {elapsed.TotalSeconds:F0} s: the store was locked {collecting / elapsed:P0} of the time");
    }

    [Fact]
    public async Task Releasing_a_copy_of_a_chunked_model_leaves_the_chunks_the_original_still_links()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var peer = new TestPeer(_tangle, _root, time);
        // A chunked model (over 256 KiB, a CNN's) and a member's copy of it with the last chunk changed: a valid file
        // that links the original's first two chunks.
        var random = new Random(3);
        var shared = new byte[2 * UnixFsFile.ChunkSize];
        random.NextBytes(shared);
        var original = await peer.Store.PutFileAsync(shared.Concat(new byte[] { 1, 2, 3 }).ToArray(), default);
        var copy = await peer.Store.PutFileAsync(shared.Concat(new byte[] { 4, 5, 6 }).ToArray(), default);
        var originalBlocks = UnixFsFile.Build(shared.Concat(new byte[] { 1, 2, 3 }).ToArray()).Select(b => b.Cid).ToList();
        var copysOwnChunk = UnixFsFile.Build(shared.Concat(new byte[] { 4, 5, 6 }).ToArray())[^1].Cid;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var weights = Models.Create(_tangle.Shape).Initialize(new Random(1));
        // The copy first, the original last: the original is its publisher's newest and kept, the copy is released.
        foreach (var (file, created) in new[] { (copy, now - 2_000), (original, now - 1_000) })
        {
            var document = TransactionDocument.CreateSigned(_tangle.Genesis, [_tangle.Genesis], file, created, new TransactionMetrics(0.1, 0.9, 10),
                peer.Key, _tangle.Credential(peer.Key));
            var bytes = TransactionCodec.Encode(document);
            var cid = await peer.Store.PutAsync(ContentCodec.DagJson, bytes, default);
            Assert.False(peer.Replica.Insert(new VerifiedTransaction(cid, bytes, document, weights)).Refused);
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Peer:RetentionInterval"] = Interval.ToString(), ["Peer:RetentionHorizon"] = "1", ["Peer:MinimumRetentionHorizon"] = "1",
        }).Build();
        using var service = new RetentionService(peer.Replica, peer.Store, new TransactionDocuments(peer.Replica, peer.Store), PinClaims.For(peer.Replica, peer.Store), new PeerStatusReporter(peer.Replica, peer.Store, peer.Key, peer.Metrics), peer.Metrics,
            configuration, time, NullLogger<RetentionService>.Instance);
        await service.StartAsync(default);
        // Passes until the copy's own chunk, unpinned last, is gone (a loaded machine may take several polls per pass).
        for (var poll = 0; poll < 300 && (await peer.Store.PinsAsync(default)).Contains(copysOwnChunk); poll++)
        {
            time.Advance(Interval);
            await Task.Delay(100);
        }
        await service.StopAsync(default);
        Assert.DoesNotContain(copysOwnChunk, await peer.Store.PinsAsync(default));

        Assert.True(peer.Replica.HoldsWeights(original));
        Assert.False(peer.Replica.HoldsWeights(copy));
        await peer.Store.CollectGarbageAsync(default);
        var pins = await peer.Store.PinsAsync(default);
        foreach (var block in originalBlocks)
        {
            Assert.Contains(block, pins);
            Assert.True(await peer.Store.HasAsync(block, default), $"{block} of the original was collected");
        }
        Assert.DoesNotContain(copy, pins);
    }

    /// <summary>The embedded store, except that each collection moves the clock on as a slow IPFS node's would take.</summary>
    private sealed class SlowlyCollectedStore(IContentStore inner, FakeTimeProvider time, TimeSpan collection) : DelegatingContentStore(inner)
    {
        public int Collections { get; private set; }

        public override async Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken)
        {
            Collections++;
            time.Advance(collection);
            return await base.CollectGarbageAsync(cancellationToken);
        }
    }
}
