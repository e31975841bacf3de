using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>
/// Whether this peer's store has run out of disk. Any write that failed for lack of space sets it; the next publication
/// that stored its weights and document clears it. Each change is logged once and shown by the store-full gauge. While
/// full, the peer trains but publishes nothing, and takes nothing in: catch-up lists it again once there is room, so
/// nothing is lost, and nothing already stored is touched.
/// </summary>
public sealed class StoreSpace(PeerMetrics metrics, ILogger<StoreSpace> logger)
{
    /// <summary>Unlogged, for engine tests.</summary>
    public StoreSpace(PeerMetrics metrics) : this(metrics, Microsoft.Extensions.Logging.Abstractions.NullLogger<StoreSpace>.Instance)
    {
    }

    private int _full;

    public bool IsFull => Volatile.Read(ref _full) == 1;

    public void Full(StoreFullException e)
    {
        if (Interlocked.Exchange(ref _full, 1) == 1) return;
        metrics.StoreFull(true);
        logger.LogError("The store is full ({Error}): publishing and taking in transactions pause until there is space again; nothing stored is lost", e.Message);
    }

    public void HasRoom()
    {
        if (Interlocked.Exchange(ref _full, 0) == 0) return;
        metrics.StoreFull(false);
        logger.LogInformation("The store has space again: publishing and taking in transactions resume");
    }
}
