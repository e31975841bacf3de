using MlAspire.Storage.Content;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Peer.Engine;

/// <summary>
/// Which weights the replica holds, and what retention may release: weights are counted by holder (transactions that
/// share one blob share one copy), and three scans walk the replica once each, past a horizon of newest arrivals, never
/// touching genesis, the reference, or any publisher's newest transaction: one releases weights from the store, one
/// documents, and one drops decoded weights from memory while the store keeps them.
/// </summary>
/// <remarks>
/// Old tips are released like everything else: a tip nobody approved for longer than the horizon is a model the
/// network passed over, and keeping every such tip would let a member grow every replica's memory without bound by
/// publishing models nobody approves. Each publisher's newest stays, so every member's latest model can be approved.
/// </remarks>
/// <remarks>Not thread-safe: the <see cref="Replica"/> calls it under its lock.</remarks>
internal sealed class RetentionLedger
{
    private readonly ValidatedWeights _weights;
    private readonly Dictionary<string, int> _holders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _memoryHolders = new(StringComparer.Ordinal); // holders whose weights memory still counts
    private readonly List<bool> _holds = []; // by sequence: whether that transaction counts among its blob's holders
    private readonly List<bool> _inMemory = []; // by sequence: whether it counts among its blob's holders in memory
    private readonly List<bool> _documentReleased = []; // by sequence: whether its document has left the store
    private readonly RetentionScan _weightsScan = new();
    private readonly RetentionScan _documentsScan = new();
    private readonly RetentionScan _memoryScan = new();

    public RetentionLedger(ValidatedWeights weights) => _weights = weights;

    /// <summary>
    /// Keeps <paramref name="weights"/> for the transaction just inserted at <paramref name="sequence"/> (the next one);
    /// null means it arrived without them.
    /// </summary>
    public void Admit(int sequence, string weightsId, ModelWeights? weights)
    {
        if (sequence != _holds.Count)
            throw new InvalidOperationException($"Admitted sequence {sequence} out of order (expected {_holds.Count}).");
        _holds.Add(weights is not null);
        _inMemory.Add(weights is not null);
        _documentReleased.Add(false);
        if (weights is null) return;
        if (!_weights.Contains(weightsId))
            _weights.Add(weightsId, weights); // new, or back in memory for a newer holder
        _holders[weightsId] = _holders.GetValueOrDefault(weightsId) + 1;
        _memoryHolders[weightsId] = _memoryHolders.GetValueOrDefault(weightsId) + 1;
    }

    /// <summary>Whether the store holds the blob for some transaction of the replica (in memory or not).</summary>
    public bool Holds(string weightsId) => _holders.ContainsKey(weightsId);

    /// <summary>Every blob the store holds for some transaction of the replica.</summary>
    public List<Cid> HeldWeights() => _holders.Keys.Select(Cid.Parse).ToList();

    /// <summary>
    /// Drops from memory the decoded weights of transactions older than the newest <paramref name="keepNewest"/>; the
    /// store keeps them (for neighbours catching up) until <see cref="ReleaseWeights"/>. A blob goes once no holder in
    /// memory is left, so a protected holder (genesis, the reference, a publisher's newest) keeps a blob it shares with
    /// evicted ones. Learning reads weights only from memory: walks end among the newest arrivals, and rate the
    /// transactions they cross by the evaluation each got on its way in (<see cref="ArrivalJudge"/>).
    /// </summary>
    public void EvictFromMemory(TangleGraph graph, int keepNewest, IReadOnlySet<string> protectedIds) =>
        _memoryScan.Scan(graph, keepNewest, protectedIds, (sequence, transaction) => LeaveMemory(sequence, transaction.WeightsId));

    private void LeaveMemory(int sequence, string weightsId)
    {
        if (!_inMemory[sequence]) return;
        _inMemory[sequence] = false;
        if (_memoryHolders.TryGetValue(weightsId, out var holders) && --holders > 0)
        {
            _memoryHolders[weightsId] = holders;
            return;
        }
        _memoryHolders.Remove(weightsId);
        _weights.Remove(weightsId);
    }

    /// <summary>Whether this replica no longer holds (or never held) the transaction's weights.</summary>
    public bool IsReleased(int sequence) => !_holds[sequence];

    /// <summary>Releases the weights of transactions older than the newest <paramref name="keepNewest"/>; returns the blobs no transaction holds any more.</summary>
    public List<Cid> ReleaseWeights(TangleGraph graph, int keepNewest, IReadOnlySet<string> protectedIds)
    {
        var unpin = new List<Cid>();
        _weightsScan.Scan(graph, keepNewest, protectedIds, (sequence, transaction) =>
        {
            if (!_holds[sequence]) return;
            _holds[sequence] = false;
            LeaveMemory(sequence, transaction.WeightsId);
            if (_holders.TryGetValue(transaction.WeightsId, out var holders) && --holders > 0)
            {
                _holders[transaction.WeightsId] = holders;
                return;
            }
            _holders.Remove(transaction.WeightsId);
            _weights.Remove(transaction.WeightsId);
            unpin.Add(Cid.Parse(transaction.WeightsId));
        });
        return unpin;
    }

    /// <summary>
    /// The documents of transactions older than the newest <paramref name="keepNewest"/>, to be unpinned: without this,
    /// history alone would grow the store by about 1 KB per transaction for ever. The replica keeps them in memory from now on.
    /// </summary>
    public List<Cid> ReleaseDocuments(TangleGraph graph, int keepNewest, IReadOnlySet<string> protectedIds)
    {
        var unpin = new List<Cid>();
        _documentsScan.Scan(graph, keepNewest, protectedIds, (sequence, transaction) =>
        {
            _documentReleased[sequence] = true;
            unpin.Add(Cid.Parse(transaction.Id));
        });
        return unpin;
    }

    /// <summary>Whether the transaction's document has been released from the store (only memory has it now).</summary>
    public bool IsDocumentReleased(int sequence) => _documentReleased[sequence];
}
