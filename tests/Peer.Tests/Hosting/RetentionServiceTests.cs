using MlAspire.Peer.Engine;
using MlAspire.Peer.Hosting;
using MlAspire.Peer.Tests.Engine;
using MlAspire.Storage.Content;
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
        using var service = new RetentionService(peer.Replica, store, new PeerStatusReporter(peer.Replica, store, peer.Key, peer.Metrics), peer.Metrics,
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

    /// <summary>The embedded store, except that each collection moves the clock on as a slow IPFS node's would take.</summary>
    private sealed class SlowlyCollectedStore(IContentStore inner, FakeTimeProvider time, TimeSpan collection) : IContentStore
    {
        public int Collections { get; private set; }

        public string Kind => inner.Kind;

        public async Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken)
        {
            Collections++;
            time.Advance(collection);
            return await inner.CollectGarbageAsync(cancellationToken);
        }

        public Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.PutAsync(codec, content, cancellationToken);
        public Task<byte[]> GetAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null) => inner.GetAsync(cid, timeout, cancellationToken, preferredPeer);
        public Task<byte[]> FetchPinnedAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null) => inner.FetchPinnedAsync(cid, timeout, cancellationToken, preferredPeer);
        public Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken) => inner.HasAsync(cid, cancellationToken);
        public Task PinAsync(Cid cid, CancellationToken cancellationToken) => inner.PinAsync(cid, cancellationToken);
        public Task UnpinAsync(Cid cid, CancellationToken cancellationToken) => inner.UnpinAsync(cid, cancellationToken);
        public Task<IReadOnlyCollection<Cid>> PinsAsync(CancellationToken cancellationToken) => inner.PinsAsync(cancellationToken);
        public Task<StoreUsage> UsageAsync(CancellationToken cancellationToken) => inner.UsageAsync(cancellationToken);
    }
}
