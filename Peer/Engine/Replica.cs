using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Engine;

public sealed record TangleSnapshot(int Size, int Tips, int Pending);

/// <summary>A transaction ready to enter the replica: verified, with its validated weights or none.</summary>
public sealed record VerifiedTransaction(Cid Cid, byte[] Document, TransactionDocument Parsed, ModelWeights? Weights);

/// <summary>
/// This peer's replica of one tangle: the graph, the records in arrival order, the validated weights and the retention
/// ledger, all under one lock, and a feed that wakes readers when records are added. Readers of the feed keep their own
/// cursor (a sequence) and read what is new, so a slow reader falls behind but is never cut off and never slows
/// insertion. Nothing here does I/O.
/// </summary>
/// <remarks>
/// Decoded weights stay in memory for the newest <see cref="WeightsInMemory"/> arrivals (plus genesis, the reference and
/// each publisher's newest); older ones are in the store only. Every insertion drops what falls out, so memory holds a
/// fixed number of models however fast transactions arrive: 50 MLP models are 10 MB, 2,000 were 400 MB.
/// </remarks>
/// <remarks>
/// History costs memory by the transaction, so a record keeps only what the graph and serving need: signed bytes for the
/// newest <see cref="DocumentsInMemory"/> arrivals (older ones are read from the store, until retention releases them
/// from it: then they come back into memory, so that they are still served), no parsed document, and strings shared
/// with the graph (a parent's id is the parent's own string, a publisher's id one string for all its transactions).
/// </remarks>
public sealed class Replica
{
    /// <summary>
    /// Where walks end (tips are among the newest arrivals; each publisher's newest, the starts walks step back from,
    /// stays too); what they cross below is rated by what <see cref="ArrivalJudge"/> remembered. Half of 100 cut a native
    /// peer's RSS from 123 to 105 MB at 16 peers, accuracy within noise (docs/benchmarks.md).
    /// </summary>
    public const int DefaultWeightsInMemory = 50;

    /// <summary>Two pages of what watchers and repair passes read, which read the newest arrivals.</summary>
    public const int DefaultDocumentsInMemory = 1_000;

    private readonly Lock _lock = new();
    private readonly List<TransactionRecord> _records = [];
    private readonly Dictionary<Cid, int> _sequenceByCid = [];
    private readonly Dictionary<string, string> _publishers = new(StringComparer.Ordinal);
    private int _documentsEvicted; // records before this sequence have been looked at for eviction
    private readonly ValidatedWeights _weights = new();
    private readonly RetentionLedger _ledger;
    private IReadOnlySet<string> _reference = new HashSet<string>();

    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TangleGraph? _graph;
    private volatile TangleSnapshot _snapshot = new(0, 0, 0);

    public Replica(int weightsInMemory = DefaultWeightsInMemory, int documentsInMemory = DefaultDocumentsInMemory)
    {
        WeightsInMemory = weightsInMemory > 0 ? weightsInMemory
            : throw new ArgumentOutOfRangeException(nameof(weightsInMemory), weightsInMemory, "At least one transaction's weights must stay in memory.");
        DocumentsInMemory = documentsInMemory >= 0 ? documentsInMemory
            : throw new ArgumentOutOfRangeException(nameof(documentsInMemory), documentsInMemory, "Cannot keep fewer than no documents in memory.");
        _ledger = new RetentionLedger(_weights);
    }

    /// <summary>How many of the newest arrivals keep their signed document in memory; older ones are read from the store.</summary>
    public int DocumentsInMemory { get; }

    /// <summary>How many of the newest arrivals keep their decoded weights in memory.</summary>
    public int WeightsInMemory { get; }

    /// <summary>Decoded weights in memory now.</summary>
    public int WeightsHeldInMemory
    {
        get
        {
            lock (_lock)
                return _weights.Count;
        }
    }

    /// <summary>Completes once the replica follows a tangle.</summary>
    public Task Initialized => _initialized.Task;

    public bool IsInitialized => _initialized.Task.IsCompleted;

    /// <summary>
    /// Completes once the replica holds again what this peer held before it restarted (<see cref="Hosting.ReplicaJournal"/>
    /// replayed it from the local store), or once <see cref="Hosting.PeerOptions.RestoreWait"/> is over. Taking from
    /// neighbours and training wait for it: otherwise catch-up races the replay, and what the peer has on disk is fetched
    /// and verified a second time (or trained on without its history).
    /// </summary>
    public Task Restored => _restored.Task;

    /// <summary>Marks the replay after a restart done (or the replica new); see <see cref="Restored"/>.</summary>
    public void MarkRestored() => _restored.TrySetResult();

    public Cid Genesis { get; private set; }

    public TransactionDocument GenesisDocument { get; private set; } = null!;

    public TangleRules Rules { get; private set; } = null!;

    /// <summary>Size, tips and held transactions as of the last insertion.</summary>
    public TangleSnapshot Snapshot => _snapshot;

    /// <summary>Starts the replica at <paramref name="genesis"/>, under the Bootstrap's rules; a second call for the same genesis is a no-op.</summary>
    /// <exception cref="InvalidOperationException">The replica already follows another tangle.</exception>
    public void Initialize(VerifiedTransaction genesis, TangleRules rules)
    {
        lock (_lock)
        {
            if (_graph is not null)
            {
                if (!Genesis.Equals(genesis.Cid))
                    throw new InvalidOperationException($"This peer already follows tangle {Genesis}, not {genesis.Cid}.");
                return;
            }
            var transaction = genesis.Parsed.ToTransaction(genesis.Cid);
            _graph = new TangleGraph(transaction, new TangleOptions(MaxParents: rules.MaxParents));
            (Genesis, GenesisDocument, Rules) = (genesis.Cid, genesis.Parsed, rules);
            Append(genesis, transaction);
            _snapshot = new TangleSnapshot(1, 1, 0);
        }
        _initialized.TrySetResult();
    }

    /// <summary>In the graph.</summary>
    public bool IsKnown(Cid cid)
    {
        var id = cid.ToString();
        lock (_lock)
            return Graph.Contains(id);
    }

    /// <summary>Whether the store holds these weights for a transaction of the replica (decoded in memory or not).</summary>
    public bool HoldsWeights(Cid weights)
    {
        lock (_lock)
            return _ledger.Holds(weights.ToString());
    }

    /// <summary>The weights, when decoded in memory (see <see cref="WeightsInMemory"/>).</summary>
    public bool TryGetWeights(Cid weights, out ModelWeights held) => TryGetWeights(weights.ToString(), out held);

    /// <inheritdoc cref="TryGetWeights(Cid, out ModelWeights)"/>
    public bool TryGetWeights(string weightsId, out ModelWeights held)
    {
        lock (_lock)
            return _weights.TryGet(weightsId, out held!);
    }

    /// <summary>
    /// Inserts <paramref name="items"/> in order, parents before children; one already in is skipped. One whose parents
    /// are not all in the graph is refused, not held: nothing waits in the replica for a parent that may never come.
    /// Returns the records added, and whether one was refused (a missing parent, or parents that break the rules).
    /// </summary>
    public (IReadOnlyList<TransactionRecord> Added, bool Refused) Insert(params IReadOnlyList<VerifiedTransaction> items)
    {
        var added = new List<TransactionRecord>();
        var refused = false;
        lock (_lock)
        {
            var graph = Graph;
            foreach (var item in items)
            {
                var parsed = item.Parsed.ToTransaction(item.Cid);
                // Concurrent ingestions may bring the same ancestor; the copy already in stays.
                if (graph.Contains(parsed.Id))
                    continue;
                if (!parsed.Parents.All(graph.Contains))
                {
                    refused = true;
                    continue;
                }
                var transaction = Shared(graph, parsed);
                if (graph.Add(transaction).Status != AddStatus.Added)
                {
                    refused = true;
                    continue;
                }
                added.Add(Append(item, transaction));
            }
            _snapshot = new TangleSnapshot(graph.Count, graph.Tips.Count, graph.PendingCount);
            if (added.Count > 0)
            {
                _ledger.EvictFromMemory(graph, WeightsInMemory, _reference);
                EvictDocuments();
                Interlocked.Exchange(ref _added, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        return (added, refused);
    }

    /// <summary>Runs <paramref name="read"/> on the graph and weights with nothing inserted meanwhile (training, reference selection).</summary>
    public T Read<T>(Func<TangleGraph, IModelStore, T> read)
    {
        lock (_lock)
            return read(Graph, _weights);
    }

    public TransactionRecord? Get(Cid cid)
    {
        lock (_lock)
            return _sequenceByCid.TryGetValue(cid, out var sequence) ? _records[sequence] : null;
    }

    /// <summary>Up to <paramref name="max"/> records after <paramref name="afterSequence"/>, in arrival order.</summary>
    public IReadOnlyList<TransactionRecord> Since(long afterSequence, int max)
    {
        lock (_lock)
        {
            var start = (int)Math.Clamp(afterSequence + 1, 0, _records.Count);
            return _records.GetRange(start, Math.Min(max, _records.Count - start));
        }
    }

    /// <summary>Completes when the replica holds a record after <paramref name="afterSequence"/>.</summary>
    public Task WaitForRecordsAsync(long afterSequence, CancellationToken cancellationToken)
    {
        Task added;
        lock (_lock)
        {
            if (_records.Count - 1 > afterSequence) return Task.CompletedTask;
            added = _added.Task;
        }
        return added.WaitAsync(cancellationToken);
    }

    public bool WeightsReleased(TransactionRecord record)
    {
        lock (_lock)
            return _ledger.IsReleased(record.Sequence);
    }

    /// <summary>
    /// The transactions of the reference model this peer serves: neither retention nor the memory bound touches their
    /// weights or documents.
    /// </summary>
    public IReadOnlySet<string> Reference
    {
        get
        {
            lock (_lock)
                return _reference;
        }
        set
        {
            lock (_lock)
                _reference = value;
        }
    }

    /// <summary>See <see cref="RetentionLedger.ReleaseWeights"/>; the reference's are kept besides <paramref name="protectedIds"/>.</summary>
    public IReadOnlyList<Cid> ReleaseWeights(int keepNewest, IReadOnlySet<string>? protectedIds = null)
    {
        lock (_lock)
            return _ledger.ReleaseWeights(Graph, keepNewest, Protected(protectedIds));
    }

    /// <summary>The weights blobs (raw blocks or files' roots) the store keeps for transactions of the replica.</summary>
    public IReadOnlyList<Cid> HeldWeights()
    {
        lock (_lock)
            return _ledger.HeldWeights();
    }

    /// <summary>
    /// See <see cref="RetentionLedger.ReleaseDocuments"/>; the reference's are kept besides <paramref name="protectedIds"/>.
    /// From now on these records keep their documents in memory; the caller gives back the ones already out of it
    /// (<see cref="KeepDocument"/>) before unpinning them.
    /// </summary>
    public IReadOnlyList<Cid> ReleaseDocuments(int keepNewest, IReadOnlySet<string>? protectedIds = null)
    {
        lock (_lock)
            return _ledger.ReleaseDocuments(Graph, keepNewest, Protected(protectedIds));
    }

    /// <summary>Takes a transaction's signed bytes back into memory (its document is leaving the store); false when the replica does not hold it.</summary>
    public bool KeepDocument(Cid cid, byte[] document)
    {
        lock (_lock)
        {
            if (!_sequenceByCid.TryGetValue(cid, out var sequence)) return false;
            if (_records[sequence].Document is null)
                _records[sequence] = _records[sequence] with { Document = document };
            return true;
        }
    }

    // Called under _lock.
    private IReadOnlySet<string> Protected(IReadOnlySet<string>? more) =>
        more is null || more.Count == 0 ? _reference : _reference.Count == 0 ? more : new HashSet<string>(_reference.Concat(more), StringComparer.Ordinal);

    private TangleGraph Graph => _graph ?? throw new InvalidOperationException("The replica follows no tangle yet.");

    // Called under _lock: the parents' ids are the graph's own strings, the publisher's one string per publisher (the
    // ones parsed from each document are copies, and history is kept for as long as the peer runs).
    private Transaction Shared(TangleGraph graph, Transaction parsed)
    {
        var parents = new string[parsed.Parents.Count];
        for (var i = 0; i < parents.Length; i++)
            parents[i] = graph.TryGetSequence(parsed.Parents[i], out var sequence) ? graph[sequence].Id : parsed.Parents[i];
        if (!_publishers.TryGetValue(parsed.Publisher, out var publisher))
            _publishers.Add(publisher = parsed.Publisher, publisher);
        return parsed with { Parents = parents, Publisher = publisher };
    }

    // Called under _lock: documents older than the newest DocumentsInMemory are read from the store from now on, except
    // the ones already released from it, which only memory has.
    private void EvictDocuments()
    {
        for (; _documentsEvicted < _records.Count - DocumentsInMemory; _documentsEvicted++)
            if (!_ledger.IsDocumentReleased(_documentsEvicted) && _records[_documentsEvicted].Document is not null)
                _records[_documentsEvicted] = _records[_documentsEvicted] with { Document = null };
    }

    // Called under _lock, in arrival order.
    private TransactionRecord Append(VerifiedTransaction item, Transaction transaction)
    {
        var record = new TransactionRecord(_records.Count, item.Cid, transaction, item.Document);
        _ledger.Admit(record.Sequence, transaction.WeightsId, item.Weights);
        _sequenceByCid[record.Cid] = record.Sequence;
        _records.Add(record);
        return record;
    }
}
