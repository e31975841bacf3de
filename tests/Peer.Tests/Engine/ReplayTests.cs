using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// A restarted peer replays its journal from its own store before it takes anything from neighbours. A journal line
/// whose ancestor has left the store (retention released its document, or it died in a crash) must not make the
/// replay ask neighbours for it: each line could then pull up to the ingestion budget's ancestors, on a clock a slow
/// neighbour sets, while catch-up and training wait.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-replay-").FullName;
    private readonly TestTangle _tangle = new();
    private readonly TestPeer _neighbour;
    private readonly TestPeer _restarted;
    private readonly CountingSource _asks = new();
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public ReplayTests()
    {
        _neighbour = new TestPeer(_tangle, Path.Combine(_root, "neighbour"), TimeProvider.System);
        _restarted = new TestPeer(_tangle, Path.Combine(_root, "restarted"), TimeProvider.System, _neighbour.Store, wrapSource: _asks.Around);
    }

    public void Dispose()
    {
        _neighbour.Dispose();
        _restarted.Dispose();
        _tangle.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<(Cid Cid, byte[] Bytes, Cid Weights)> PublishAsync(IContentStore store, IReadOnlyList<Cid> parents, int seed)
    {
        var weights = await store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(_tangle.Shape).Initialize(new Random(seed))), default);
        var bytes = TransactionCodec.Encode(TransactionDocument.CreateSigned(_tangle.Genesis, parents, weights, _now,
            new TransactionMetrics(0.1, 0.9, 10), _neighbour.Key, _tangle.Credential(_neighbour.Key)));
        return (await store.PutAsync(ContentCodec.DagJson, bytes, default), bytes, weights);
    }

    [Fact]
    public async Task A_replayed_transaction_whose_parent_left_the_store_is_left_to_catch_up_without_asking_neighbours()
    {
        // The parent only a neighbour still has; the child, document and weights, is in the restarted peer's own store.
        var parent = await PublishAsync(_neighbour.Store, [_tangle.Genesis], 1);
        var child = await PublishAsync(_neighbour.Store, [parent.Cid], 2);
        await _restarted.Store.PutAsync(ContentCodec.DagJson, child.Bytes, default);
        await _restarted.Store.PutAsync(ContentCodec.Raw, await _neighbour.Store.GetAsync(child.Weights, TimeSpan.FromSeconds(1), default), default);

        var outcome = await _restarted.IngestAsync(child.Cid, child.Bytes, AnnouncementPath.Replay, from: null);

        Assert.Equal(0, _asks.Count);
        Assert.Equal(0, _restarted.Ingestor.PinsClaimed);
        Assert.Equal(IngestStatus.Deferred, outcome.Status);
        Assert.False(_restarted.Replica.IsKnown(child.Cid));

        // Catch-up brings the parent, and the child goes in from the local store.
        Assert.Equal(IngestStatus.Inserted, (await _restarted.IngestAsync(parent.Cid, parent.Bytes, AnnouncementPath.CatchUp)).Status);
        Assert.Equal(IngestStatus.Inserted, (await _restarted.IngestAsync(child.Cid, child.Bytes, AnnouncementPath.Replay, from: null)).Status);
    }

    /// <summary>Counts the blocks asked of neighbours.</summary>
    private sealed class CountingSource
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public IBlockSource Around(IBlockSource inner) => new Counted(inner, this);

        private sealed class Counted(IBlockSource inner, CountingSource counter) : IBlockSource
        {
            public Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref counter._count);
                return inner.TryFetchAsync(cid, preferredPeer, cancellationToken);
            }
        }
    }
}
