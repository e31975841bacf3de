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
    /// followed again. A transport without per-neighbour streams waits for cancellation. A transport that delivers the
    /// neighbour's records in order starts after <paramref name="cursor"/> and advances it, so catch-up passes resume
    /// from there instead of listing again what arrived live; without a cursor (catch-up is still behind), it starts
    /// at the neighbour's newest record and leaves the rest to catch-up.
    /// </summary>
    Task FollowAsync(Neighbour neighbour, TangleSync.TangleSyncClient client, FollowCursor? cursor, CancellationToken cancellationToken);

    /// <summary>Receives announcements that come from no particular neighbour (pubsub) until cancelled; waits for cancellation otherwise.</summary>
    Task ListenAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The last of a neighbour's records (by its sequence) that this peer has been offered without a gap: catch-up
/// passes and an in-order live stream both advance it, concurrently.
/// </summary>
public sealed class FollowCursor
{
    private long _sequence = -1;

    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>Moves to <paramref name="sequence"/> after a pass that listed everything up to it.</summary>
    public void AdvanceTo(long sequence)
    {
        var seen = Interlocked.Read(ref _sequence);
        while (sequence > seen && Interlocked.CompareExchange(ref _sequence, sequence, seen) is var before && before != seen)
            seen = before;
    }

    /// <summary>
    /// Moves to <paramref name="sequence"/> only if it is the very next record: a stream from a peer that does not honour
    /// the start cursor (or that skipped records) leaves the gap to the next catch-up pass.
    /// </summary>
    public void AdvanceIfNext(long sequence)
    {
        if (sequence >= 0) // never wraps below zero
            Interlocked.CompareExchange(ref _sequence, sequence, sequence - 1);
    }
}
