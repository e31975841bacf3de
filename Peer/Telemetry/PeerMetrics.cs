using System.Diagnostics.Metrics;
using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Telemetry;

/// <summary>
/// Every instrument of the "MlAspire.Peer" meter, in one place. OpenTelemetry's Prometheus exporter names them by
/// Prometheus conventions: counters end in _total, units become suffixes ("s" → _seconds, "By" → _bytes), and
/// annotations such as "{transaction}" are dropped; e.g. mlaspire.peer.transactions.received becomes
/// mlaspire_peer_transactions_received_total. docs/monitoring.md lists them all.
/// </summary>
/// <remarks>
/// Gauges report the last value an event set (the tangle after an insertion, the reference after it was measured, the
/// store after a retention pass) and report nothing before the first one, rather than a made-up zero.
/// </remarks>
public sealed class PeerMetrics
{
    public const string MeterName = "MlAspire.Peer";

    /// <summary>Seconds: from a few milliseconds (an IPFS call, a logistic regression step) to a minute (an MLP on a slow board).</summary>
    private static readonly IReadOnlyList<double> SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _received;
    private readonly Counter<long> _published;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _publishErrors;
    private readonly Counter<long> _trainings;
    private readonly Counter<long> _trainingErrors;
    private readonly Histogram<double> _trainingDuration;
    private readonly Histogram<double> _trainingInterval;
    private readonly Histogram<double> _ipfsRequestDuration;
    private readonly Counter<long> _retentionReleased;
    private readonly Counter<long> _callsRefused;
    private readonly Counter<long> _blockAsks;
    // What the peer's status reports: the counters' running totals, kept beside the instruments (which cannot be read back).
    private long _receivedTotal;
    private long _publishedTotal;
    private readonly long[] _rejectedTotals = new long[Enum.GetValues<RejectionReason>().Length];
    private readonly Func<TangleSnapshot?> _tangle;
    private volatile EvaluationReading? _reference;
    private volatile EvaluationReading? _trained;
    private volatile StoreUsage? _store;
    private Func<bool> _storeFull = () => false;
    private Func<int> _benchedNeighbours = () => 0;

    private sealed record EvaluationReading(double Accuracy, double Loss);

    /// <param name="meterFactory">The host's factory; null (unit tests, tools) makes a meter of its own.</param>
    /// <param name="tangle">The replica's size, tips and pending now; null before it follows a tangle.</param>
    public PeerMetrics(IMeterFactory? meterFactory, Func<TangleSnapshot?>? tangle = null)
    {
        _tangle = tangle ?? (() => null);
        var meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _received = meter.CreateCounter<long>("mlaspire.peer.transactions.received", "{transaction}", "Transactions from other peers inserted into this replica (ancestors fetched to connect one included).");
        _published = meter.CreateCounter<long>("mlaspire.peer.transactions.published", "{transaction}", "Transactions this peer trained, stored and inserted.");
        _rejected = meter.CreateCounter<long>("mlaspire.peer.transactions.rejected", "{transaction}", "Offered transactions refused, by reason (forged signature, unknown parent, invalid weights, ...).");
        _publishErrors = meter.CreateCounter<long>("mlaspire.peer.publish.errors", "{error}", "Failures to publish a trained model, by stage: credential (no valid membership credential to sign with), store (weights or transaction not stored), disk_full (not stored for lack of space) or announce (pubsub publish failed).");
        _trainings = meter.CreateCounter<long>("mlaspire.peer.trainings", "{training}", "Training steps, by outcome: published, not_published when the publish rule refused the model or its publication failed (see mlaspire.peer.publish.errors), or skipped_behind when the peer caught up on arrivals instead.");
        _trainingErrors = meter.CreateCounter<long>("mlaspire.peer.training.errors", "{error}", "Training steps that failed with an error (the loop goes on).");
        _trainingDuration = meter.CreateHistogram("mlaspire.peer.training.duration", "s", "Wall time of one training step: tip selection, averaging, local epochs, evaluation and publishing.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _trainingInterval = meter.CreateHistogram("mlaspire.peer.training.interval", "s", "Time between the starts of two consecutive training steps of this peer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _ipfsRequestDuration = meter.CreateHistogram("mlaspire.peer.ipfs.request.duration", "s", "Latency of Kubo RPC calls to this peer's IPFS node until the response headers, by operation (add, block/get, pin/add, ...) and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _retentionReleased = meter.CreateCounter<long>("mlaspire.peer.retention.released", "{block}", "Blocks released (unpinned, then garbage collected) by retention, by kind: weights or transaction (history).");

        _callsRefused = meter.CreateCounter<long>("mlaspire.peer.calls.refused", "{call}", "TangleSync calls refused before they ran, by reason: no_membership (no valid credential or proof), watchers_full or lists_full (too many streams, in all or from one member).");
        _blockAsks = meter.CreateCounter<long>("mlaspire.peer.block.asks", "{ask}", "Blocks asked of neighbours (embedded mode), by outcome: answered (the answer used), not_found, deadline, invalid (did not hash to its CID), failed, or cancelled (another neighbour answered first, or the fetch was given up).");

        // Counters are exported from the start at zero (every label value included), so that rate() and the dashboards
        // see a series before its first event rather than no data.
        _received.Add(0);
        _published.Add(0);
        foreach (var reason in Enum.GetValues<RejectionReason>())
            _rejected.Add(0, Reason(reason));
        foreach (var stage in PublishStages)
            _publishErrors.Add(0, Stage(stage));
        _trainings.Add(0, Outcome(true));
        _trainings.Add(0, Outcome(false));
        _trainings.Add(0, Skipped);
        _trainingErrors.Add(0);
        foreach (var reason in CallRefusals)
            _callsRefused.Add(0, new KeyValuePair<string, object?>("reason", reason));
        foreach (var outcome in AskOutcomes)
            _blockAsks.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        _retentionReleased.Add(0, WeightsKind);
        _retentionReleased.Add(0, TransactionKind);

        meter.CreateObservableGauge("mlaspire.peer.tangle.transactions", () => Read(_tangle(), t => t.Size), "{transaction}", "Transactions in this peer's replica of the tangle.");
        meter.CreateObservableGauge("mlaspire.peer.tangle.tips", () => Read(_tangle(), t => t.Tips), "{transaction}", "Tips (transactions nobody approves yet).");
        meter.CreateObservableGauge("mlaspire.peer.tangle.pending", () => Read(_tangle(), t => t.Pending), "{transaction}", "Transactions held back because a parent is still missing.");
        meter.CreateObservableGauge("mlaspire.peer.reference.accuracy", () => Read(_reference, r => r.Accuracy), "1", "Accuracy of the reference (consensus) model on this peer's local test data.");
        meter.CreateObservableGauge("mlaspire.peer.reference.loss", () => Read(_reference, r => r.Loss), null, "Cross-entropy loss of the reference model on this peer's local test data.");
        meter.CreateObservableGauge("mlaspire.peer.trained.accuracy", () => Read(_trained, r => r.Accuracy), "1", "Accuracy of the model this peer last trained, on its local test data.");
        meter.CreateObservableGauge("mlaspire.peer.trained.loss", () => Read(_trained, r => r.Loss), null, "Cross-entropy loss of the model this peer last trained, on its local test data.");
        meter.CreateObservableGauge("mlaspire.peer.store.size", () => Read(_store, s => s.Bytes), "By", "Bytes the peer's store (IPFS repo or embedded store) holds after the last garbage collection.");
        meter.CreateObservableGauge("mlaspire.peer.store.pinned", () => Read(_store, s => s.PinnedBytes), "By", "Bytes of pinned blocks (what garbage collection keeps).");
        meter.CreateObservableGauge("mlaspire.peer.neighbours.benched", () => _benchedNeighbours(), "{peer}", "Neighbours that missed two deadlines within 2 min and are, for now, neither followed nor asked for blocks.");
        meter.CreateObservableGauge("mlaspire.peer.store.full", () => _storeFull() ? 1 : 0, null, "1 while the store's disk is full: publications and ingestions fail (without blaming senders) until a write succeeds again.");
    }

    /// <summary>Why a TangleSync call can be refused: see the calls refused counter.</summary>
    public static readonly IReadOnlyList<string> CallRefusals = ["no_membership", "watchers_full", "lists_full"];

    /// <param name="reason">One of <see cref="CallRefusals"/>.</param>
    public void CallRefused(string reason) => _callsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>How an ask for a block can end: see the block asks counter.</summary>
    public static readonly IReadOnlyList<string> AskOutcomes = ["answered", "not_found", "deadline", "invalid", "failed", "cancelled"];

    /// <param name="outcome">One of <see cref="AskOutcomes"/>.</param>
    public void BlockAsked(string outcome) => _blockAsks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>The stages a publication can fail at: see the publish errors counter.</summary>
    public static readonly IReadOnlyList<string> PublishStages = ["credential", "store", "disk_full", "announce"];

    public void Received(int transactions)
    {
        _received.Add(transactions);
        Interlocked.Add(ref _receivedTotal, transactions);
    }

    public void Published()
    {
        _published.Add(1);
        Interlocked.Increment(ref _publishedTotal);
    }

    public void Rejected(RejectionReason reason)
    {
        _rejected.Add(1, Reason(reason));
        Interlocked.Increment(ref _rejectedTotals[(int)reason]);
    }

    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);

    public long ReceivedTotal => Interlocked.Read(ref _receivedTotal);

    /// <summary>Rejections so far, by reason, leaving out reasons never seen.</summary>
    public IReadOnlyDictionary<RejectionReason, long> RejectedTotals =>
        Enum.GetValues<RejectionReason>().Select(r => (r, Interlocked.Read(ref _rejectedTotals[(int)r]))).Where(p => p.Item2 > 0).ToDictionary(p => p.r, p => p.Item2);

    /// <param name="stage">One of <see cref="PublishStages"/>.</param>
    public void PublishFailed(string stage) => _publishErrors.Add(1, Stage(stage));

    public void Trained(bool published, TimeSpan duration, double accuracy, double loss)
    {
        _trainings.Add(1, Outcome(published));
        _trainingDuration.Record(duration.TotalSeconds);
        _trained = new EvaluationReading(accuracy, loss);
    }

    public void TrainingStarted(TimeSpan sincePrevious) => _trainingInterval.Record(sincePrevious.TotalSeconds);

    public void TrainingFailed() => _trainingErrors.Add(1);

    /// <summary>A step skipped to catch up on arrivals first (<see cref="Hosting.CatchUpFirst"/>).</summary>
    public void TrainingSkipped() => _trainings.Add(1, Skipped);

    public void ReferenceMeasured(double accuracy, double loss) => _reference = new EvaluationReading(accuracy, loss);

    public void StoreMeasured(StoreUsage usage) => _store = usage;

    /// <summary>Where the benched-neighbours gauge reads its count.</summary>
    public void ObserveBenchedNeighbours(Func<int> count) => _benchedNeighbours = count;

    /// <summary>Where the store-full gauge reads whether the store is full.</summary>
    public void ObserveStoreFull(Func<bool> full) => _storeFull = full;

    public void RetentionReleased(int weights, int transactions)
    {
        _retentionReleased.Add(weights, WeightsKind);
        _retentionReleased.Add(transactions, TransactionKind);
    }

    private static readonly KeyValuePair<string, object?> WeightsKind = new("kind", "weights");
    private static readonly KeyValuePair<string, object?> TransactionKind = new("kind", "transaction");

    public void IpfsRequest(string operation, bool succeeded, TimeSpan duration) =>
        _ipfsRequestDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", succeeded ? "ok" : "error"));

    private static KeyValuePair<string, object?> Reason(RejectionReason reason) => new("reason", reason.Label());

    private static KeyValuePair<string, object?> Stage(string stage) => new("stage", stage);

    private static readonly KeyValuePair<string, object?> Skipped = new("outcome", "skipped_behind");

    private static KeyValuePair<string, object?> Outcome(bool published) => new("outcome", published ? "published" : "not_published");

    private static IEnumerable<Measurement<double>> Read<T>(T? reading, Func<T, double> value) where T : class =>
        reading is null ? [] : [new Measurement<double>(value(reading))];
}
