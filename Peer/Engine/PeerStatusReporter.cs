using MlAspire.Peer.Grpc;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Engine;

/// <summary>The peer's status: the replica now, the reference as the training loop last measured it, and the metrics' totals.</summary>
public sealed class PeerStatusReporter(Replica replica, IContentStore store, PeerKey key, PeerMetrics metrics)
{
    private volatile ReferenceReport _reference = new([], double.NaN, double.NaN);
    private volatile StoreUsage? _storage;

    /// <param name="Transactions">The ids of the transactions the reference model averages (best first).</param>
    public sealed record ReferenceReport(IReadOnlyList<string> Transactions, double Accuracy, double Loss);

    public void ReportReference(ReferenceReport reference) => _reference = reference;

    public void ReportStorage(StoreUsage usage) => _storage = usage;

    public PeerStatus Current()
    {
        var snapshot = replica.Snapshot;
        var reference = _reference;
        var rejected = metrics.RejectedTotals;
        var status = new PeerStatus
        {
            PeerId = key.Id,
            GenesisCid = replica.IsInitialized ? replica.Genesis.ToString() : "",
            TangleSize = snapshot.Size,
            Tips = snapshot.Tips,
            Pending = snapshot.Pending,
            ReferenceCid = reference.Transactions.FirstOrDefault() ?? "",
            ReferenceAccuracy = reference.Accuracy,
            ReferenceLoss = reference.Loss,
            StorageKind = store.Kind,
            Published = metrics.PublishedTotal,
            Received = metrics.ReceivedTotal,
            Rejected = rejected.Values.Sum(),
            StoreBytes = _storage?.Bytes ?? 0,
            StorePinnedBytes = _storage?.PinnedBytes ?? 0,
        };
        foreach (var (reason, count) in rejected)
            status.RejectedByReason[reason.Label()] = count;
        return status;
    }
}
