using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>The replica, the ingestor and the publisher together: what one peer does with its own and others' transactions.</summary>
public sealed class EngineTests : IDisposable
{
    private static readonly LearningParameters Learning = new() { PublishRule = PublishRuleKind.Always };
    private readonly TestPeers _peers = new();

    public void Dispose() => _peers.Dispose();

    private TestPeer Peer(string name, TestPeer? neighbour = null, IngestBudget? budget = null, int weightsInMemory = Replica.DefaultWeightsInMemory) =>
        _peers.Add(name, neighbour, budget, weightsInMemory);

    internal static LocalData Data(int seed)
    {
        var data = SyntheticData.GaussianBlobs(200, 8, 3, 3, new Random(seed));
        return new LocalData(data.Slice(0, 160), data.Slice(160, 40));
    }

    private static async Task<TransactionRecord> PublishAsync(TestPeer peer, int seed) =>
        (await peer.Publisher.TrainAsync(Data(1), Learning, new Random(seed), default)).Published!;

    [Fact]
    public async Task A_transaction_published_by_one_peer_is_fetched_verified_and_inserted_by_another()
    {
        var a = Peer("a");
        var b = Peer("b", a);
        var first = await PublishAsync(a, 1);
        var second = await PublishAsync(a, 2);

        // B hears only of the newest CID: it fetches that transaction, its weights and its unknown parent.
        var outcome = await b.IngestAsync(second.Cid);

        Assert.Equal(IngestStatus.Inserted, outcome.Status);
        Assert.Equal(2, outcome.Inserted);
        Assert.Equal(3, b.Replica.Snapshot.Size);
        Assert.Equal(first.Cid, b.Replica.Get(first.Cid)!.Cid);
        Assert.Equal(IngestStatus.Known, (await b.IngestAsync(second.Cid, second.Document)).Status);
        Assert.Equal(a.Replica.Since(-1, 10).Select(r => r.Cid), b.Replica.Since(-1, 10).Select(r => r.Cid));
        Assert.True(await b.Store.HasAsync(second.Weights, default));
        Assert.Contains(second.Cid, await b.Store.PinsAsync(default));
        // B trains on what it received, approving A's transaction.
        var own = await PublishAsync(b, 3);
        Assert.Contains(second.Cid.ToString(), own.Transaction.Parents);
    }

    [Fact]
    public async Task A_feed_reader_that_falls_behind_reads_everything_by_sequence_and_insertion_never_waits_for_it()
    {
        var a = Peer("a");
        var waiting = a.Replica.WaitForRecordsAsync(0, default);
        Assert.False(waiting.IsCompleted);
        var published = new List<TransactionRecord>();
        for (var i = 0; i < 20; i++)
            published.Add(await PublishAsync(a, i));

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(published.Select(r => r.Cid), a.Replica.Since(0, 100).Select(r => r.Cid));
        Assert.True(a.Replica.WaitForRecordsAsync(5, default).IsCompleted);
    }

    [Fact]
    public async Task Release_scans_hand_out_old_weights_and_documents_once_and_never_genesis_a_publishers_newest_or_protected_ones()
    {
        var a = Peer("a");
        var records = new List<TransactionRecord>();
        for (var i = 0; i < 12; i++)
            records.Add(await PublishAsync(a, i));
        var protectedIds = new HashSet<string> { records[2].Cid.ToString() };

        var documents = a.Replica.ReleaseDocuments(4, protectedIds);
        var weights = a.Replica.ReleaseWeights(4, protectedIds);

        // Sequences 1..8 are older than the newest 4; of them, all but the protected one are released (tips too: the
        // publisher's newest, sequence 12, is what stays).
        var expected = records.Take(8).Where(r => r != records[2]).ToList();
        Assert.Equal(expected.Select(r => r.Cid), documents);
        Assert.Equal(expected.Select(r => r.Weights).ToHashSet(), weights.ToHashSet());
        Assert.All(expected, r => Assert.True(a.Replica.WeightsReleased(r)));
        Assert.False(a.Replica.WeightsReleased(records[2]));
        Assert.False(a.Replica.WeightsReleased(a.Replica.Since(-1, 1)[0]));
        // A second pass has nothing new; once unprotected, the skipped transaction is released.
        Assert.Empty(a.Replica.ReleaseDocuments(4, protectedIds));
        Assert.Equal([records[2].Cid], a.Replica.ReleaseDocuments(4, new HashSet<string>()));
    }

    [Fact]
    public async Task Memory_holds_the_newest_weights_only_the_store_keeps_the_rest_and_walks_still_rate_older_transactions()
    {
        // Before, the replica kept every retained transaction's decoded weights: 2,000 MLP models, 400 MB per peer.
        var a = Peer("a", weightsInMemory: 5);
        var b = Peer("b", a, weightsInMemory: 5);
        var data = Data(1);
        double RateFirst() => a.Replica.Read((graph, weights) =>
            TrainingStep.LocalAccuracy(graph, data, weights)(Enumerable.Range(0, graph.Count).First(s => graph[s].Id == a.Replica.Since(0, 1)[0].Cid.ToString())));
        var records = new List<TransactionRecord>();
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(TestPeer.TrainingInterval); // the network's rate for one creator
            var record = await PublishAsync(a, i);
            records.Add(record);
            Assert.Equal(IngestStatus.Inserted, (await b.IngestAsync(record.Cid, path: AnnouncementPath.CatchUp)).Status);
        }
        Assert.Equal(records[0].Cid, a.Replica.Since(0, 1)[0].Cid);

        foreach (var peer in new[] { a, b })
        {
            // The newest 5, plus genesis (never scanned); the publisher's newest is among the newest.
            Assert.InRange(peer.Replica.WeightsHeldInMemory, 1, 6);
            var old = records[2].Weights;
            Assert.True(peer.Replica.HoldsWeights(old));
            Assert.False(peer.Replica.TryGetWeights(old, out _));
            Assert.True(await peer.Store.HasAsync(old, default));
            Assert.True(peer.Replica.TryGetWeights(records[^1].Weights, out _));
        }

        // A walk rates an evicted transaction by what this peer remembers of it, and one it never judged as useless.
        Assert.Equal(0.0, RateFirst());
        var c = Peer("c", a, weightsInMemory: 5);
        Assert.Equal(IngestStatus.Inserted, (await c.IngestAsync(records[0].Cid, path: AnnouncementPath.CatchUp)).Status);
        var judgedWhileHeld = c.Replica.Read((graph, weights) => TrainingStep.LocalAccuracy(graph, data, weights)(1));
        Assert.True(judgedWhileHeld > 0);
        for (var i = 1; i < records.Count; i++)
            Assert.Equal(IngestStatus.Inserted, (await c.IngestAsync(records[i].Cid, path: AnnouncementPath.CatchUp)).Status);
        Assert.False(c.Replica.TryGetWeights(records[0].Weights, out _));
        Assert.Equal(judgedWhileHeld, c.Replica.Read((graph, weights) => TrainingStep.LocalAccuracy(graph, data, weights)(1)));

        // Training goes on from what is in memory.
        Assert.NotNull(await PublishAsync(b, 99));
    }

    [Fact]
    public async Task Concurrent_ingestions_of_overlapping_ancestry_insert_each_transaction_once()
    {
        var a = Peer("a");
        var b = Peer("b", a);
        var published = new List<TransactionRecord>();
        for (var i = 0; i < 10; i++)
            published.Add(await PublishAsync(a, i));

        // Every announcement at once, newest first: each pulls in ancestors the others are fetching too.
        var outcomes = await Task.WhenAll(published.AsEnumerable().Reverse().Select(r => b.IngestAsync(r.Cid, r.Document)));

        Assert.DoesNotContain(outcomes, o => o.Status == IngestStatus.Rejected);
        Assert.Equal(10, outcomes.Sum(o => o.Inserted));
        Assert.Equal(11, b.Replica.Snapshot.Size);
        Assert.Equal(0, b.Replica.Snapshot.Pending);
        Assert.Equal(published.Select(r => r.Cid).ToHashSet(), b.Replica.Since(0, 100).Select(r => r.Cid).ToHashSet());
    }

    [Fact]
    public async Task Publishing_ingesting_and_rejecting_are_counted_and_traced()
    {
        var spans = new List<string>();
        var counts = new List<(string Instrument, long Value, string Tags)>();
        using var tracing = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == MlAspire.Peer.Telemetry.PeerTracing.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = activity => { lock (spans) spans.Add(activity.DisplayName); },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(tracing);
        using var metering = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MlAspire.Peer.Telemetry.PeerMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
            },
        };
        metering.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (counts) counts.Add((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
        });
        metering.Start();
        long Sum(string instrument, string tags = "") { lock (counts) return counts.Where(c => c.Instrument == instrument && c.Tags.Contains(tags)).Sum(c => c.Value); }

        var a = Peer("a");
        var b = Peer("b", a);
        var published = await PublishAsync(a, 1);
        await b.IngestAsync(published.Cid);
        await b.IngestAsync(Cid.Compute(ContentCodec.DagJson, "something else"u8), "{}"u8.ToArray());

        Assert.Equal(1, Sum("mlaspire.peer.transactions.published"));
        Assert.Equal(1, Sum("mlaspire.peer.transactions.received"));
        Assert.Equal(1, Sum("mlaspire.peer.transactions.rejected", "reason=cid_mismatch"));
        Assert.Equal(1, Sum("mlaspire.peer.transactions.rejected"));
        Assert.Equal(1, b.Metrics.RejectedTotals[RejectionReason.CidMismatch]);
        lock (spans)
            Assert.True(spans.SequenceEqual(["train", "publish", "ingest transaction", "ingest transaction"]), string.Join(", ", spans));
    }
}
