using MlAspire.Peer.Engine;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// Keeps the store bounded however long the peer runs: on a schedule, releases (unpins) the weights of transactions
/// beyond the retention horizon — never a tip's, never the reference's — and collects garbage. When the store is still
/// over its cap, the horizon halves (down to the region walks start in); when there is room again, it grows back.
/// </summary>
public sealed class RetentionService(PeerEngine engine, PeerStatusReporter status, IConfiguration configuration, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        var horizon = options.RetentionHorizon;
        using var timer = new PeriodicTimer(options.RetentionInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!engine.IsInitialized) continue;
            try
            {
                var released = await engine.ReleaseWeightsAsync(horizon, status.ReferenceTransactions, stoppingToken);
                foreach (var cid in released)
                    await engine.Store.UnpinAsync(cid, stoppingToken);
                engine.Metrics.RetentionReleased(released.Count);
                var usage = await engine.Store.CollectGarbageAsync(stoppingToken);
                status.ReportStorage(usage);
                engine.Metrics.StoreMeasured(usage);
                var next = usage.Bytes > options.StorageCap
                    ? Math.Max(options.MinimumRetentionHorizon, horizon / 2)
                    : usage.Bytes < options.StorageCap / 2 ? Math.Min(options.RetentionHorizon, horizon * 2) : horizon;
                if (next != horizon)
                    logger.LogInformation("Store holds {Bytes:N0} bytes (cap {Cap:N0}): retention horizon {Old} -> {New} transactions", usage.Bytes, options.StorageCap, horizon, next);
                horizon = next;
                logger.LogDebug("Released {Count} weights; store {Bytes:N0} bytes in {Blocks} blocks", released.Count, usage.Bytes, usage.Blocks);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Retention pass failed; the next one runs on schedule");
            }
        }
    }
}
