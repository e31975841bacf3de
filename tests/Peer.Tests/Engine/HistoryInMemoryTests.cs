using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// What a replica keeps of each transaction for as long as the peer runs: a 24-peer soak's memory grew 4.8 KB per
/// transaction, history held in memory in full (the signed bytes, the parsed document, copies of every id). Now the
/// newest documents only, and strings shared with the graph (`dotnet run -c Release --project Benchmarks -- history`).
/// </summary>
public sealed class HistoryInMemoryTests : IDisposable
{
    private static readonly LearningParameters Learning = new() { PublishRule = PublishRuleKind.Always };
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-history-").FullName;
    private readonly TestTangle _tangle = new();
    private readonly TestPeer _peer;
    private readonly TransactionDocuments _documents;

    public HistoryInMemoryTests()
    {
        _peer = new TestPeer(_tangle, Path.Combine(_root, "a"), TimeProvider.System, documentsInMemory: 3);
        _documents = new TransactionDocuments(_peer.Replica, _peer.Store);
    }

    public void Dispose()
    {
        _peer.Dispose();
        _tangle.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<List<TransactionRecord>> PublishAsync(int count)
    {
        var published = new List<TransactionRecord>();
        for (var i = 0; i < count; i++)
            published.Add((await _peer.Publisher.TrainAsync(EngineTests.Data(1), Learning, new Random(i), default)).Published!);
        return published;
    }

    private IReadOnlyList<TransactionRecord> Records => _peer.Replica.Since(-1, int.MaxValue);

    [Fact]
    public async Task Documents_older_than_the_newest_leave_memory_and_are_read_from_the_store()
    {
        await PublishAsync(8);

        Assert.Equal(9, Records.Count);
        Assert.All(Records.Take(6), r => Assert.Null(r.Document));
        Assert.All(Records.Skip(6), r => Assert.NotNull(r.Document));
        foreach (var record in Records)
        {
            var document = await _documents.ReadAsync(record, default);
            Assert.True(document is not null && record.Cid.Matches(document), $"{record.Sequence} was not served as its signed bytes");
        }
    }

    [Fact]
    public async Task Documents_released_from_the_store_come_back_into_memory_and_stay_there_and_one_the_store_lost_is_not_unpinned()
    {
        await PublishAsync(8);
        var lost = Records[2];
        await _peer.Store.UnpinAsync(lost.Cid, default);
        await _peer.Store.CollectGarbageAsync(default);

        var released = _peer.Replica.ReleaseDocuments(2);
        var unpin = await _documents.KeepReleasedAsync(released, default);

        Assert.Equal(released.Where(c => !c.Equals(lost.Cid)), unpin);
        foreach (var cid in unpin)
            await _peer.Store.UnpinAsync(cid, default);
        await _peer.Store.CollectGarbageAsync(default);
        await PublishAsync(4); // more arrivals do not evict what only memory has
        foreach (var cid in unpin)
        {
            Assert.False(await _peer.Store.HasAsync(cid, default));
            var record = _peer.Replica.Get(cid)!;
            Assert.NotNull(record.Document);
            Assert.True(cid.Matches((await _documents.ReadAsync(record, default))!));
        }
        Assert.Null(await _documents.ReadAsync(_peer.Replica.Get(lost.Cid)!, default));
    }

    [Fact]
    public async Task A_release_whose_store_read_fails_keeps_that_document_pinned_and_asks_again_at_the_next_pass()
    {
        // A node timing out, a disk error: before, the exception ended the retention pass, and what it had released
        // (weights too) was never unpinned.
        await PublishAsync(8);
        var failing = Records[2].Cid;
        var store = new FailingReads(_peer.Store, failing);
        var documents = new TransactionDocuments(_peer.Replica, store);
        var released = _peer.Replica.ReleaseDocuments(2);

        var unpin = await documents.KeepReleasedAsync(released, default);

        Assert.Equal(released.Where(c => !c.Equals(failing)), unpin);
        Assert.Null(await documents.ReadAsync(_peer.Replica.Get(failing)!, default));
        store.Fails = false;
        Assert.Equal([failing], await documents.KeepReleasedAsync([], default));
        Assert.NotNull(_peer.Replica.Get(failing)!.Document);
    }

    [Fact]
    public async Task A_parents_id_and_a_publishers_id_are_one_string_however_many_transactions_refer_to_them()
    {
        var published = await PublishAsync(3);

        Assert.Same(published[0].Transaction.Id, published[1].Transaction.Parents.Single(p => p == published[0].Transaction.Id));
        Assert.Same(published[0].Transaction.Publisher, published[2].Transaction.Publisher);
    }

    /// <summary>The store, except that reading one block throws while <see cref="Fails"/>.</summary>
    private sealed class FailingReads(IContentStore inner, Cid failing) : DelegatingContentStore(inner)
    {
        public bool Fails { get; set; } = true;

        public override ValueTask<BlockLease?> LendLocalAsync(Cid cid, CancellationToken cancellationToken) =>
            Fails && cid.Equals(failing) ? throw new IOException("Input/output error") : base.LendLocalAsync(cid, cancellationToken);
    }
}
