using MlAspire.Peer.Grpc;

namespace MlAspire.Peer.Engine;

/// <summary>The peer's status as the training loop last measured it, plus the engine's live counters.</summary>
public sealed class PeerStatusReporter(PeerEngine engine)
{
    private volatile ReferenceReport _reference = new("", double.NaN, double.NaN);

    public sealed record ReferenceReport(string Cid, double Accuracy, double Loss);

    public void ReportReference(ReferenceReport reference) => _reference = reference;

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
            ReferenceCid = reference.Cid,
            ReferenceAccuracy = reference.Accuracy,
            ReferenceLoss = reference.Loss,
            StorageKind = engine.Store.Kind,
            Published = engine.Published,
            Received = engine.Received,
            Rejected = engine.Rejected.Values.Sum(),
        };
        foreach (var (reason, count) in engine.Rejected)
            status.RejectedByReason[reason.ToString()] = count;
        return status;
    }
}
