using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Tests.Engine;

public sealed class PeerEngineTests : IDisposable
{
    private static readonly ModelShape Shape = ModelShape.LogisticRegression(8, 3);
    private static readonly LearningParameters Learning = new() { PublishRule = PublishRuleKind.Always };
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-peer-").FullName;
    private readonly PeerKey _bootstrapKey = PeerKey.Create();
    private readonly List<PeerKey> _keys = [];

    public void Dispose()
    {
        _bootstrapKey.Dispose();
        _keys.ForEach(k => k.Dispose());
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Reads blocks straight from another peer's store, as the gRPC block source does across processes.</summary>
    private sealed class StoreSource(IContentStore other) : IBlockSource
    {
        public async Task<byte[]?> TryFetchAsync(Cid cid, CancellationToken cancellationToken) =>
            await other.HasAsync(cid, cancellationToken) ? await other.GetAsync(cid, TimeSpan.FromSeconds(1), cancellationToken) : null;
    }

    private (Cid Cid, byte[] Transaction, byte[] Weights)? _genesis;

    // One genesis per test: ECDSA signatures are randomized, so each signing gives another CID.
    private (Cid Cid, byte[] Transaction, byte[] Weights) Genesis() => _genesis ??= CreateGenesis();

    private (Cid Cid, byte[] Transaction, byte[] Weights) CreateGenesis()
    {
        var weights = WeightCodec.Encode(Models.Create(Shape).Initialize(new Random(1)));
        var document = TransactionDocument.CreateSigned(null, [], Cid.Compute(ContentCodec.Raw, weights), 0, TransactionMetrics.None, _bootstrapKey);
        var bytes = TransactionCodec.Encode(document);
        return (Cid.Compute(ContentCodec.DagJson, bytes), bytes, weights);
    }

    private async Task<PeerEngine> Peer(string name, IContentStore? neighbour = null)
    {
        var key = PeerKey.Create();
        _keys.Add(key);
        var store = new EmbeddedContentStore(Path.Combine(_root, name), neighbour is null ? null : new StoreSource(neighbour));
        var engine = new PeerEngine(store, key, TimeProvider.System, new PeerEngineOptions { FetchTimeout = TimeSpan.FromSeconds(1) });
        var (cid, transaction, weights) = Genesis();
        await engine.InitializeAsync(cid, transaction, weights, default);
        return engine;
    }

    private static LocalData Data(int seed)
    {
        var data = SyntheticData.GaussianBlobs(200, Shape.Inputs, Shape.Classes, 3, new Random(seed));
        return new LocalData(data.Slice(0, 160), data.Slice(160, 40));
    }

    [Fact]
    public async Task A_transaction_published_by_one_peer_is_fetched_verified_and_inserted_by_another()
    {
        var a = await Peer("a");
        var b = await Peer("b", a.Store);
        var (_, first) = await a.TrainAsync(Data(1), Learning, new Random(1), default);
        var (_, second) = await a.TrainAsync(Data(1), Learning, new Random(2), default);

        // B hears only of the newest CID: it fetches that transaction, its weights and its unknown parent.
        var outcome = await b.IngestAsync(second!.Cid, null, default);

        Assert.Equal(IngestStatus.Inserted, outcome.Status);
        Assert.Equal(2, outcome.Inserted);
        Assert.Equal(3, b.Snapshot.Size);
        Assert.Equal(first!.Cid, b.Get(first.Cid)!.Cid);
        Assert.Equal(IngestStatus.Known, (await b.IngestAsync(second.Cid, second.Document, default)).Status);
        Assert.Equal(a.Since(-1, 10).Select(r => r.Cid), b.Since(-1, 10).Select(r => r.Cid));
        // B trains on what it received, approving A's transaction.
        var (_, own) = await b.TrainAsync(Data(2), Learning, new Random(3), default);
        Assert.Contains(second.Cid, own!.Parsed.Parents);
    }

    [Fact]
    public async Task Watchers_see_every_insertion()
    {
        var a = await Peer("a");
        using var stop = new CancellationTokenSource();
        var feed = a.Watch(stop.Token);
        var (_, published) = await a.TrainAsync(Data(1), Learning, new Random(1), default);
        Assert.True(feed.TryRead(out var seen));
        Assert.Equal(published!.Cid, seen.Cid);
    }

    [Fact]
    public async Task Release_scans_hand_out_old_weights_and_documents_once_and_never_genesis_tips_or_protected_ones()
    {
        var a = await Peer("a");
        var records = new List<TransactionRecord>();
        for (var i = 0; i < 12; i++)
            records.Add((await a.TrainAsync(Data(1), Learning, new Random(i), default)).Published!);
        var tips = records.Where(r => !records.Any(other => other.Parsed.Parents.Contains(r.Cid))).Select(r => r.Cid).ToHashSet();
        var protectedIds = new HashSet<string> { records[2].Cid.ToString() };

        var documents = await a.ReleaseDocumentsAsync(4, protectedIds, default);
        var weights = await a.ReleaseWeightsAsync(4, protectedIds, default);

        // Sequences 1..8 are older than the newest 4; of them, neither tips nor the protected one are released.
        var expected = records.Take(8).Where(r => !tips.Contains(r.Cid) && r != records[2]).ToList();
        Assert.Equal(expected.Select(r => r.Cid), documents);
        Assert.Equal(expected.Select(r => r.Parsed.Weights).ToHashSet(), weights.ToHashSet());
        Assert.All(expected, r => Assert.True(a.WeightsReleased(r.Cid)));
        Assert.False(a.WeightsReleased(records[2].Cid));
        Assert.False(a.WeightsReleased(Genesis().Cid));
        // A second pass has nothing new; once unprotected, the skipped transaction is released.
        Assert.Empty(await a.ReleaseDocumentsAsync(4, protectedIds, default));
        Assert.Equal([records[2].Cid], await a.ReleaseDocumentsAsync(4, new HashSet<string>(), default));
    }

    [Fact]
    public async Task Concurrent_ingestions_of_overlapping_ancestry_insert_each_transaction_once()
    {
        var a = await Peer("a");
        var b = await Peer("b", a.Store);
        var published = new List<TransactionRecord>();
        for (var i = 0; i < 10; i++)
            published.Add((await a.TrainAsync(Data(1), Learning, new Random(i), default)).Published!);

        // Every announcement at once, newest first: each pulls in ancestors the others are fetching too.
        var outcomes = await Task.WhenAll(published.AsEnumerable().Reverse().Select(r => b.IngestAsync(r.Cid, r.Document, default)));

        Assert.DoesNotContain(outcomes, o => o.Status == IngestStatus.Rejected);
        Assert.Equal(10, outcomes.Sum(o => o.Inserted));
        Assert.Equal(11, b.Snapshot.Size);
        Assert.Equal(0, b.Snapshot.Pending);
        Assert.Equal(published.Select(r => r.Cid).ToHashSet(), b.Since(0, 100).Select(r => r.Cid).ToHashSet());
    }

    public static TheoryData<string, RejectionReason> Attacks => new()
    {
        { "nan-weights", RejectionReason.InvalidWeights },
        { "wrong-shape", RejectionReason.InvalidWeights },
        { "unknown-parent", RejectionReason.UnknownParent },
        { "bad-signature", RejectionReason.BadSignature },
        { "garbage", RejectionReason.CidMismatch },
        { "missing-weights", RejectionReason.WeightsUnavailable },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Forged_and_malformed_transactions_are_rejected_counted_and_never_stored(string attack, RejectionReason reason)
    {
        var honest = await Peer("honest");
        var attacker = await Peer("attacker");
        var victim = await Peer("victim", attacker.Store);
        using var key = PeerKey.Create();
        var genesis = honest.Genesis;

        Cid weights = attack switch
        {
            "nan-weights" => await attacker.Store.PutAsync(ContentCodec.Raw, MlAspire.Tests.Shared.PoisonedWeights.WithNaN(Shape), default),
            "wrong-shape" => await attacker.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(ModelShape.LogisticRegression(4, 2)).Initialize(new Random(1))), default),
            "missing-weights" => Cid.Compute(ContentCodec.Raw, [1, 2, 3]),
            _ => await attacker.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(Shape).Initialize(new Random(5))), default),
        };
        var parent = attack == "unknown-parent" ? Cid.Compute(ContentCodec.DagJson, "nobody has this"u8) : genesis;
        var document = TransactionDocument.CreateSigned(genesis, [parent], weights, 1, new TransactionMetrics(0.1, 0.9, 10), key);
        if (attack == "bad-signature")
            document = document with { Metrics = new TransactionMetrics(0.0, 1.0, 10) };
        var bytes = attack == "garbage" ? "{\"not\":\"a transaction\"}"u8.ToArray() : TransactionCodec.Encode(document);
        var cid = Cid.Compute(ContentCodec.DagJson, TransactionCodec.Encode(document));

        var outcome = await victim.IngestAsync(cid, bytes, default);

        Assert.Equal(IngestStatus.Rejected, outcome.Status);
        Assert.Equal(reason, outcome.Reason);
        Assert.Equal(1, victim.Rejected[reason]);
        Assert.Equal(1, victim.Snapshot.Size);
        Assert.Null(victim.Get(cid));
        Assert.False(await victim.Store.HasAsync(cid, default));
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

        var a = await Peer("a");
        var b = await Peer("b", a.Store);
        var (_, published) = await a.TrainAsync(Data(1), Learning, new Random(1), default);
        await b.IngestAsync(published!.Cid, null, default);
        var garbage = "{}"u8.ToArray();
        await b.IngestAsync(Cid.Compute(ContentCodec.DagJson, "something else"u8), garbage, default);

        Assert.Equal(1, Sum("mlaspire.peer.transactions.published"));
        Assert.Equal(1, Sum("mlaspire.peer.transactions.received"));
        Assert.Equal(1, Sum("mlaspire.peer.transactions.rejected", "reason=CidMismatch"));
        Assert.Equal(1, Sum("mlaspire.peer.transactions.rejected"));
        lock (spans)
            Assert.Equal(["train", "publish", "ingest transaction", "ingest transaction"], spans);
    }
}
