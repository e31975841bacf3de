using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;

namespace MlAspire.Peer.Network;

/// <summary>
/// How announcements travel: this peer's own new transactions out, other members' in. Two transports: watch streams
/// (each peer reads its neighbours' replica feeds over gRPC) and IPFS pubsub (one topic, the genesis CID). Either way,
/// what arrives goes to the <see cref="Ingestor"/> as a live announcement, and catch-up repairs whatever a transport lost.
/// </summary>
public interface IAnnouncer
{
    /// <summary>Announces this peer's own new transaction.</summary>
    Task AnnounceAsync(TransactionRecord own, CancellationToken cancellationToken);

    /// <summary>
    /// Receives what <paramref name="neighbour"/> announces until cancelled; returns (or throws) when that stream ends, to be
    /// followed again. A transport without per-neighbour streams waits for cancellation.
    /// </summary>
    Task FollowAsync(Neighbour neighbour, TangleSync.TangleSyncClient client, CancellationToken cancellationToken);

    /// <summary>Receives announcements that come from no particular neighbour (pubsub) until cancelled; waits for cancellation otherwise.</summary>
    Task ListenAsync(CancellationToken cancellationToken);
}
