using MlAspire.Peer.Grpc;
using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Watching;

/// <summary>Peer messages to the page's views. NaN (not measured yet) becomes null: JSON has no NaN.</summary>
internal static class ProtoMapping
{
    public static TransactionView ToView(this TransactionMessage m) =>
        new(m.Sequence, m.Cid, [.. m.Parents], m.Publisher, Finite(m.LocalLoss), Finite(m.LocalAccuracy), m.CreatedAtMs);

    public static PeerStatusView ToView(this PeerStatus s, long sampledAtMs) =>
        new(s.TangleSize, s.Tips, s.Pending, s.ReferenceCid is { Length: > 0 } cid ? cid : null, Finite(s.ReferenceAccuracy), Finite(s.ReferenceLoss),
            s.StorageKind, s.Published, s.Received, s.Rejected, sampledAtMs);

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
