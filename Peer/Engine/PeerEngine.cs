using System.Collections.Concurrent;
using System.Threading.Channels;
using System.Diagnostics;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Engine;

/// <summary>What happened to a transaction offered to the engine.</summary>
public enum IngestStatus { Inserted, Known, Rejected }

public sealed record TangleSnapshot(int Size, int Tips, int Pending);

public sealed record IngestOutcome(IngestStatus Status, int Inserted, RejectionReason? Reason = null, string? Error = null);

public sealed record PeerEngineOptions
{
    /// <summary>How long to wait for a block (transaction, parent or weights) from the network.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most unknown ancestors one announcement may pull in; a late joiner catches up in bulk instead.</summary>
    public int MaxAncestorsPerIngest { get; init; } = 10_000;

    /// <summary>Largest weights blob accepted (1 MiB: what one IPFS block carries).</summary>
    public int MaxWeightsBytes { get; init; } = 1 << 20;

    public TangleOptions Tangle { get; init; } = new();
}

/// <summary>
/// A peer's replica of the tangle and the one place that changes it. Network work (fetching, storing) happens outside
/// the lock; the lock covers only the graph, so training and ingestion never see a half-inserted transaction.
/// Everything received is verified (CID, signature, tangle, weights' shape and values) before it is stored or trained on.
/// </summary>
public sealed class PeerEngine
{
    private readonly IContentStore _store;
    private readonly PeerKey _key;
    private readonly TimeProvider _time;
    private readonly PeerEngineOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<TransactionRecord> _records = []; // guarded by lock (_records): read by gRPC without the gate
    private readonly Dictionary<Cid, int> _sequenceByCid = [];
    private readonly HashSet<Cid> _weightsReleased = []; // guarded by lock (_records)
    private readonly Dictionary<string, int> _weightsHolders = new(StringComparer.Ordinal); // guarded by the gate
    private readonly ReleaseScan _weightsScan = new(); // guarded by the gate
    private readonly ReleaseScan _documentsScan = new(); // guarded by the gate
    private volatile TangleSnapshot _snapshot = new(0, 0, 0);
    private readonly Dictionary<string, (byte[] Document, TransactionDocument Parsed, ModelWeights? Weights)> _held = new(StringComparer.Ordinal);
    private readonly ValidatedWeights _weights = new();
    private readonly ConcurrentDictionary<Channel<TransactionRecord>, byte> _watchers = new();
    private readonly ConcurrentDictionary<RejectionReason, long> _rejected = new();
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TangleGraph? _graph;
    private TransactionVerifier? _verifier;
    private long _published;
    private long _received;

    public PeerEngine(IContentStore store, PeerKey key, TimeProvider time, PeerEngineOptions? options = null, PeerMetrics? metrics = null)
    {
        _store = store;
        _key = key;
        _time = time;
        _options = options ?? new PeerEngineOptions();
        Metrics = metrics ?? new PeerMetrics(null);
    }

    /// <summary>Where the engine and the services around it (gossip, training, retention) count what happens.</summary>
    public PeerMetrics Metrics { get; }

    public string PeerId => _key.Id;

    public IContentStore Store => _store;

    public Cid Genesis { get; private set; }

    public ModelShape Shape { get; private set; } = ModelShape.LogisticRegression(1, 1);

    public bool IsInitialized => _graph is not null;

    /// <summary>Completes once the engine follows a tangle, for services that have nothing to do before.</summary>
    public Task Initialized => _initialized.Task;

    public long Published => Interlocked.Read(ref _published);

    public long Received => Interlocked.Read(ref _received);

    public IReadOnlyDictionary<RejectionReason, long> Rejected => _rejected;

    /// <summary>Adopts the tangle named by <paramref name="genesis"/>: verifies and stores its blocks and starts the replica.</summary>
    public async Task InitializeAsync(Cid genesis, byte[] transaction, byte[] weights, CancellationToken cancellationToken)
    {
        var document = TransactionVerifier.VerifyGenesis(genesis, transaction);
        var decoded = DecodeWeights(document.Weights, weights);
        await _store.PutAsync(ContentCodec.Raw, weights, cancellationToken);
        await _store.PutAsync(ContentCodec.DagJson, transaction, cancellationToken);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_graph is not null)
            {
                if (!Genesis.Equals(genesis))
                    throw new InvalidOperationException($"This peer already follows tangle {Genesis}, not {genesis}.");
                return;
            }
            Genesis = genesis;
            _verifier = new TransactionVerifier(genesis, document, _options.Tangle.MaxParents, _time, TransactionVerifier.DefaultClockSkew);
            Shape = decoded.Shape;
            HoldWeights(document.Weights.ToString(), decoded);
            var tx = document.ToTransaction(genesis);
            _graph = new TangleGraph(tx, _options.Tangle);
            lock (_records)
            {
                _records.Add(new TransactionRecord(0, genesis, transaction, document, tx));
                _sequenceByCid[genesis] = 0;
            }
            _snapshot = new TangleSnapshot(1, 1, 0);
            Metrics.TangleChanged(_snapshot);
            _initialized.TrySetResult();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Verifies and inserts an announced transaction, fetching its bytes (when not given), weights and any unknown
    /// ancestors. Never throws for bad input: a forged, malformed or unfetchable transaction is rejected and counted.
    /// </summary>
    /// <param name="weightsMayBeReleased">
    /// True when the sender says it no longer holds the weights (catch-up of old history). Ancestors fetched to connect
    /// an announcement are always allowed to lack weights: they are kept for their place in the DAG and never trained on.
    /// </param>
    public async Task<IngestOutcome> IngestAsync(Cid cid, byte[]? document, CancellationToken cancellationToken, bool weightsMayBeReleased = false)
    {
        var graph = _graph ?? throw new InvalidOperationException("The engine has no tangle yet.");
        if (await ContainsAsync(cid.ToString(), cancellationToken))
            return new IngestOutcome(IngestStatus.Known, 0);
        using var activity = PeerTracing.Source.StartActivity("ingest transaction");
        activity?.SetTag("mlaspire.transaction.cid", cid.ToString());

        var fetched = new List<(Cid Cid, byte[] Document, TransactionDocument Parsed, ModelWeights? Weights)>();
        var queue = new Queue<(Cid Cid, byte[]? Document)>([(cid, document)]);
        var seen = new HashSet<Cid> { cid };
        try
        {
            while (queue.TryDequeue(out var next))
            {
                if (fetched.Count >= _options.MaxAncestorsPerIngest)
                    throw new TransactionRejectedException(RejectionReason.UnknownParent, $"{cid} pulls in more than {_options.MaxAncestorsPerIngest} unknown ancestors.");
                var bytes = next.Document ?? await FetchAsync(next.Cid, RejectionReason.UnknownParent, cancellationToken);
                var parsed = _verifier!.Verify(next.Cid, bytes);
                var isRoot = next.Cid.Equals(cid);
                ModelWeights? weights;
                try
                {
                    weights = DecodeWeights(parsed.Weights, await FetchAsync(parsed.Weights, RejectionReason.WeightsUnavailable, cancellationToken));
                }
                catch (TransactionRejectedException e) when (e.Reason == RejectionReason.WeightsUnavailable && (!isRoot || weightsMayBeReleased))
                {
                    weights = null;
                }
                fetched.Add((next.Cid, bytes, parsed, weights));
                foreach (var parent in parsed.Parents)
                    if (seen.Add(parent) && !await ContainsAsync(parent.ToString(), cancellationToken))
                        queue.Enqueue((parent, null));
            }
        }
        catch (TransactionRejectedException e)
        {
            _rejected.AddOrUpdate(e.Reason, 1, (_, n) => n + 1);
            Metrics.Rejected(e.Reason);
            activity?.SetStatus(ActivityStatusCode.Error, e.Reason.ToString());
            return new IngestOutcome(IngestStatus.Rejected, 0, e.Reason, e.Message);
        }

        foreach (var item in fetched)
        {
            await _store.PinAsync(item.Cid, cancellationToken);
            if (item.Weights is not null)
                await _store.PinAsync(item.Parsed.Weights, cancellationToken);
        }
        var inserted = await InsertAsync(fetched.Select(f => (f.Cid, f.Document, f.Parsed, f.Weights)), cancellationToken);
        Interlocked.Add(ref _received, inserted);
        Metrics.Received(inserted);
        activity?.SetTag("mlaspire.transactions.inserted", inserted);
        return new IngestOutcome(inserted > 0 ? IngestStatus.Inserted : IngestStatus.Known, inserted);
    }

    /// <summary>
    /// One training step on the current tangle; publishes (stores, signs, inserts, announces to watchers) when the
    /// publish rule accepts the model. Returns the outcome and, when published, the new record.
    /// </summary>
    public async Task<(TrainingOutcome Outcome, TransactionRecord? Published)> TrainAsync(LocalData local, LearningParameters parameters, Random random, CancellationToken cancellationToken)
    {
        var graph = _graph ?? throw new InvalidOperationException("The engine has no tangle yet.");
        TrainingOutcome outcome;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using var _ = PeerTracing.Source.StartActivity("train");
            outcome = TrainingStep.Run(graph, local, _weights, parameters, random);
        }
        finally
        {
            _gate.Release();
        }
        if (!outcome.ShouldPublish)
            return (outcome, null);

        using var activity = PeerTracing.Source.StartActivity("publish");
        Cid cid;
        try
        {
            var weightsCid = await _store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(outcome.Weights), cancellationToken);
            var document = TransactionDocument.CreateSigned(
                Genesis, outcome.Parents.Select(p => Cid.Parse(p.Id)).ToList(), weightsCid, _time.GetUtcNow().ToUnixTimeMilliseconds(), outcome.Metrics, _key);
            var bytes = TransactionCodec.Encode(document);
            cid = await _store.PutAsync(ContentCodec.DagJson, bytes, cancellationToken);
            await InsertAsync([(cid, bytes, document, outcome.Weights)], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Metrics.PublishFailed("store");
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        activity?.SetTag("mlaspire.transaction.cid", cid.ToString());
        Interlocked.Increment(ref _published);
        Metrics.Published();
        return (outcome, Get(cid));
    }

    /// <summary>The reference model as this peer sees it now, with its accuracy on the peer's local test data.</summary>
    public async Task<(ReferenceModel Model, Evaluation Local)> ReferenceAsync(LocalData local, LearningParameters parameters, Random random, CancellationToken cancellationToken)
    {
        var graph = _graph ?? throw new InvalidOperationException("The engine has no tangle yet.");
        using var activity = PeerTracing.Source.StartActivity("select reference");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var selector = parameters.CreateTipSelector(TrainingStep.LocalAccuracy(graph, local, _weights));
            var reference = ReferenceModel.Select(graph, _weights, local, selector, parameters, random);
            return (reference, local.Evaluate(reference.Key, reference.Weights));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Releases the weights of transactions older than the newest <paramref name="keepNewest"/>, except tips, genesis and
    /// <paramref name="protectedIds"/> (the reference model's transactions): they leave memory, and the returned weights
    /// CIDs may be unpinned. Walks start near the newest transactions, so nothing a live walk reaches is released.
    /// </summary>
    public async Task<IReadOnlyList<Cid>> ReleaseWeightsAsync(int keepNewest, IReadOnlySet<string> protectedIds, CancellationToken cancellationToken)
    {
        var unpin = new List<Cid>();
        await ScanReleasableAsync(_weightsScan, keepNewest, protectedIds, transaction =>
        {
            var cid = Cid.Parse(transaction.Id);
            lock (_records)
                if (!_weightsReleased.Add(cid)) return;
            if (_weightsHolders.TryGetValue(transaction.WeightsId, out var holders) && --holders > 0)
            {
                _weightsHolders[transaction.WeightsId] = holders;
                return;
            }
            _weightsHolders.Remove(transaction.WeightsId);
            _weights.Remove(transaction.WeightsId);
            unpin.Add(Cid.Parse(transaction.WeightsId));
        }, cancellationToken);
        return unpin;
    }

    /// <summary>
    /// Returns the CIDs of transaction documents older than the newest <paramref name="keepNewest"/> (same exceptions as
    /// <see cref="ReleaseWeightsAsync"/>), to be unpinned: without this, history alone would grow the store by about
    /// 1 KB per transaction for ever. The replica keeps them in memory, so neighbours still catch up from it.
    /// </summary>
    public async Task<IReadOnlyList<Cid>> ReleaseDocumentsAsync(int keepNewest, IReadOnlySet<string> protectedIds, CancellationToken cancellationToken)
    {
        var unpin = new List<Cid>();
        await ScanReleasableAsync(_documentsScan, keepNewest, protectedIds, transaction => unpin.Add(Cid.Parse(transaction.Id)), cancellationToken);
        return unpin;
    }

    /// <summary>
    /// Hands <paramref name="release"/> each transaction older than the newest <paramref name="keepNewest"/> that is not
    /// genesis, a tip or protected, once. Those skipped are remembered and looked at again on the next pass, so a pass
    /// costs the new arrivals plus the few old tips and protected ones, not the whole history.
    /// </summary>
    private async Task ScanReleasableAsync(ReleaseScan scan, int keepNewest, IReadOnlySet<string> protectedIds, Action<Transaction> release, CancellationToken cancellationToken)
    {
        var graph = _graph ?? throw new InvalidOperationException("The engine has no tangle yet.");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var end = graph.Count - keepNewest;
            var candidates = scan.Skipped.Where(sequence => sequence < end).ToList();
            for (var sequence = scan.Next; sequence < end; sequence++)
                candidates.Add(sequence);
            scan.Next = Math.Max(scan.Next, end);
            foreach (var sequence in candidates)
            {
                var transaction = graph[sequence];
                if (graph.IsTip(sequence) || protectedIds.Contains(transaction.Id))
                {
                    scan.Skipped.Add(sequence);
                    continue;
                }
                scan.Skipped.Remove(sequence);
                release(transaction);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Where a release scan resumes (genesis, sequence 0, is never released), and what it skipped so far.</summary>
    private sealed class ReleaseScan
    {
        public int Next { get; set; } = 1;

        public HashSet<int> Skipped { get; } = [];
    }

    public bool WeightsReleased(Cid cid)
    {
        lock (_records)
            return _weightsReleased.Contains(cid);
    }

    private void HoldWeights(string weightsId, ModelWeights weights)
    {
        _weights.Add(weightsId, weights);
        _weightsHolders[weightsId] = _weightsHolders.GetValueOrDefault(weightsId) + 1;
    }

    public TransactionRecord? Get(Cid cid)
    {
        lock (_records)
            return _sequenceByCid.TryGetValue(cid, out var sequence) ? _records[sequence] : null;
    }

    /// <summary>Up to <paramref name="max"/> records after <paramref name="afterSequence"/>, in arrival order.</summary>
    public IReadOnlyList<TransactionRecord> Since(int afterSequence, int max)
    {
        lock (_records)
        {
            var start = Math.Max(0, afterSequence + 1);
            return start >= _records.Count ? [] : _records.GetRange(start, Math.Min(max, _records.Count - start));
        }
    }

    /// <summary>Size, tips and held transactions as of the last insertion.</summary>
    public TangleSnapshot Snapshot => _snapshot;

    /// <summary>
    /// A feed of every record inserted from now on. A watcher that falls more than <paramref name="capacity"/> behind
    /// is cut off (its reader completes with an error) rather than slowing the engine; it reconnects and catches up by sequence.
    /// </summary>
    public ChannelReader<TransactionRecord> Watch(CancellationToken cancellationToken, int capacity = 4096)
    {
        var channel = Channel.CreateBounded<TransactionRecord>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false });
        _watchers[channel] = 0;
        cancellationToken.Register(() =>
        {
            _watchers.TryRemove(channel, out _);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    private async Task<int> InsertAsync(IEnumerable<(Cid Cid, byte[] Document, TransactionDocument Parsed, ModelWeights? Weights)> items, CancellationToken cancellationToken)
    {
        var graph = _graph!;
        var added = new List<TransactionRecord>();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var (cid, document, parsed, weights) in items)
            {
                var id = cid.ToString();
                // Concurrent ingestions may bring the same ancestor; the copy already in (or held by) the graph stays.
                if (graph.Contains(id) || graph.IsPending(id))
                    continue;
                _held[id] = (document, parsed, weights);
                var result = graph.Add(parsed.ToTransaction(cid));
                if (result.Status == AddStatus.Rejected)
                {
                    _held.Remove(id);
                    _rejected.AddOrUpdate(RejectionReason.InvalidParents, 1, (_, n) => n + 1);
                    Metrics.Rejected(RejectionReason.InvalidParents);
                }
                lock (_records)
                {
                    foreach (var transaction in result.Inserted)
                    {
                        var (bytes, doc, held) = _held[transaction.Id];
                        _held.Remove(transaction.Id);
                        var record = new TransactionRecord(_records.Count, Cid.Parse(transaction.Id), bytes, doc, transaction);
                        if (held is null)
                            _weightsReleased.Add(record.Cid);
                        else
                            HoldWeights(transaction.WeightsId, held);
                        _sequenceByCid[record.Cid] = record.Sequence;
                        _records.Add(record);
                        added.Add(record);
                    }
                }
            }
            _snapshot = new TangleSnapshot(graph.Count, graph.Tips.Count, graph.PendingCount);
            Metrics.TangleChanged(_snapshot);
        }
        finally
        {
            _gate.Release();
        }
        foreach (var record in added)
            foreach (var watcher in _watchers.Keys)
                if (!watcher.Writer.TryWrite(record))
                {
                    _watchers.TryRemove(watcher, out _);
                    watcher.Writer.TryComplete(new InvalidOperationException("Watcher fell too far behind; reconnect and catch up by sequence."));
                }
        return added.Count;
    }

    private async Task<bool> ContainsAsync(string id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _graph!.Contains(id);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<byte[]> FetchAsync(Cid cid, RejectionReason reasonWhenMissing, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.GetAsync(cid, _options.FetchTimeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TransactionRejectedException(reasonWhenMissing, $"Could not fetch {cid}: {e.Message}");
        }
    }

    private ModelWeights DecodeWeights(Cid cid, byte[] bytes)
    {
        if (bytes.Length > _options.MaxWeightsBytes)
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid} are {bytes.Length} bytes (limit {_options.MaxWeightsBytes}).");
        ModelWeights weights;
        try
        {
            weights = WeightCodec.Decode(bytes);
        }
        catch (InvalidWeightsException e)
        {
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid}: {e.Message}");
        }
        if (IsInitialized && weights.Shape != Shape)
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid} have shape {weights.Shape}, the tangle's model is {Shape}.");
        return weights;
    }
}
