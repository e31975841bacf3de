using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>
/// Whether this peer's store has run out of disk. Any write that failed for lack of space sets it; the next publication
/// or insertion that stored something clears it. Each change is logged once; the store-full gauge reads it. While full,
/// the peer trains but every publication fails, and every ingestion fails without counting against its sender, so
/// catch-up lists the transaction again once there is room: nothing is lost, and nothing already stored is touched.
/// </summary>
public sealed class StoreSpace
{
    private readonly ILogger _logger;
    private int _full;

    public StoreSpace(PeerMetrics metrics, ILogger<StoreSpace> logger)
    {
        _logger = logger;
        metrics.ObserveStoreFull(() => IsFull);
    }

    /// <summary>Unlogged, for engine tests.</summary>
    public StoreSpace(PeerMetrics metrics) : this(metrics, Microsoft.Extensions.Logging.Abstractions.NullLogger<StoreSpace>.Instance)
    {
    }

    public bool IsFull => Volatile.Read(ref _full) == 1;

    public void Full(StoreFullException e)
    {
        if (Interlocked.Exchange(ref _full, 1) == 0)
            _logger.LogError("The store is full ({Error}): publishing and taking in transactions fail until there is space again; nothing stored is lost", e.Message);
    }

    public void HasRoom()
    {
        if (Interlocked.Exchange(ref _full, 0) == 1)
            _logger.LogInformation("The store has space again: publishing and taking in transactions resume");
    }
}
