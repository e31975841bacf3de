using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>The peer's status as the training loop last measured it, plus the engine's live counters.</summary>
public sealed class PeerStatusReporter(PeerEngine engine)
{
    private volatile ReferenceReport _reference = new([], double.NaN, double.NaN);
    private volatile StoreUsage? _storage;

    /// <param name="Transactions">The ids of the transactions the reference model averages (best first).</param>
    public sealed record ReferenceReport(IReadOnlyList<string> Transactions, double Accuracy, double Loss);

    public void ReportReference(ReferenceReport reference) => _reference = reference;

    public void ReportStorage(StoreUsage usage) => _storage = usage;

    /// <summary>What retention must never release.</summary>
    public IReadOnlySet<string> ReferenceTransactions => _reference.Transactions.ToHashSet(StringComparer.Ordinal);

    public PeerStatus Current()
    {
        var snapshot = engine.Snapshot;
        var reference = _reference;
        var status = new PeerStatus
        {
            PeerId = engine.PeerId,
            GenesisCid = engine.IsInitialized ? engine.Genesis.ToString() : "",
            TangleSize = snapshot.Size,
            Tips = snapshot.Tips,
            Pending = snapshot.Pending,
            ReferenceCid = reference.Transactions.FirstOrDefault() ?? "",
            ReferenceAccuracy = reference.Accuracy,
            ReferenceLoss = reference.Loss,
            StorageKind = engine.Store.Kind,
            Published = engine.Published,
            Received = engine.Received,
            Rejected = engine.Rejected.Values.Sum(),
            StoreBytes = _storage?.Bytes ?? 0,
            StorePinnedBytes = _storage?.PinnedBytes ?? 0,
        };
        foreach (var (reason, count) in engine.Rejected)
            status.RejectedByReason[reason.ToString()] = count;
        return status;
    }
}
