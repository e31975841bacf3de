using MlAspire.Peer.Engine;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// Keeps the store bounded however long the peer runs: on a schedule, releases (unpins) the weights of transactions
/// beyond the retention horizon — never a publisher's newest, never the reference's — and collects garbage. When the store is still
/// over its cap, the horizon halves (down to <see cref="PeerOptions.MinimumRetentionHorizon"/>); when there is room again, it grows back.
/// Both bounds are fitted to the cap first: a tangle's weights all have one size, and no more of them are kept than half
/// the cap holds (41 of the LEAF CNN's 26 MB under the default 2 GiB), so a large model neither overruns the store nor
/// fills memory, where the replica holds the same weights. Transaction documents beyond a much longer horizon leave
/// the store the same way (the replica takes them back into memory first, and serves them from there). Garbage is collected at most as often as
/// <see cref="CollectionPacer"/> allows, since a slow collection blocks the IPFS node's writes.
/// </summary>
public sealed class RetentionService(Replica replica, IContentStore store, TransactionDocuments history, PinClaims claims, PeerStatusReporter status, PeerMetrics metrics, IConfiguration configuration,
    TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    private readonly ReleasedFiles _files = new(store);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        await replica.Initialized.WaitAsync(stoppingToken);
        var (ceiling, floor) = FitToCap(options);
        var horizon = ceiling;
        var documentHorizon = options.DocumentRetentionHorizon;
        var pacer = new CollectionPacer(time);
        using var timer = new PeriodicTimer(options.RetentionInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var released = replica.ReleaseWeights(horizon);
                var documents = await history.KeepReleasedAsync(replica.ReleaseDocuments(documentHorizon), stoppingToken);
                var candidates = await _files.CandidatesAsync(released, stoppingToken);
                // What the replica took back in meanwhile (a transaction arriving with the same weights) is kept. One failed
                // unpin (a node timing out) must not keep the others, or the collection, from freeing space.
                var failed = await claims.UnpinUnclaimedAsync(candidates.Concat(documents),
                    marked => _files.NotHeldAsync(marked, released, replica.HeldWeights(), stoppingToken));
                if (failed.Count > 0)
                    logger.LogWarning("Could not unpin {Count} blocks, {Cid} first: {Error}; they stay pinned", failed.Count, failed[0].Block, failed[0].Error.Message);
                metrics.RetentionReleased(released.Count, documents.Count);
                // The horizon adapts only to a collected store's size: what was just unpinned still counts before.
                if (!pacer.IsDue)
                    continue;
                var started = time.GetTimestamp();
                StoreUsage usage;
                try
                {
                    usage = await store.CollectGarbageAsync(stoppingToken);
                }
                finally
                {
                    pacer.Collected(started); // a collection that failed or timed out held the node as long
                }
                status.ReportStorage(usage);
                metrics.StoreMeasured(usage);
                // Over the cap, weights go first (they are ~200x larger); history only once weights are down to the minimum.
                var (next, nextDocuments) = usage.Bytes > options.StorageCap
                    ? horizon > floor
                        ? (Math.Max(floor, horizon / 2), documentHorizon)
                        : (horizon, Math.Max(options.MinimumRetentionHorizon, documentHorizon / 2))
                    : usage.Bytes < options.StorageCap / 2
                        ? (Math.Min(ceiling, horizon * 2), Math.Min(options.DocumentRetentionHorizon, documentHorizon * 2))
                        : (horizon, documentHorizon);
                if (next != horizon || nextDocuments != documentHorizon)
                    logger.LogInformation("Store holds {Bytes:N0} bytes (cap {Cap:N0}): retention horizon {Old} -> {New} transactions for weights, {OldDocuments} -> {NewDocuments} for history",
                        usage.Bytes, options.StorageCap, horizon, next, documentHorizon, nextDocuments);
                (horizon, documentHorizon) = (next, nextDocuments);
                logger.LogDebug("Released {Count} weights and {Documents} transactions; store {Bytes:N0} bytes in {Blocks} blocks", released.Count, documents.Count, usage.Bytes, usage.Blocks);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Retention pass failed; the next one runs on schedule");
            }
        }
    }

    /// <summary>The weights horizon's ceiling and floor: the configured ones, or fewer when half the cap holds fewer of this tangle's weights.</summary>
    private (int Ceiling, int Floor) FitToCap(PeerOptions options)
    {
        var weightsBytes = replica.Rules.WeightsBytes;
        var fitting = (int)Math.Clamp(options.StorageCap / 2 / weightsBytes, 1, int.MaxValue);
        var (ceiling, floor) = (Math.Min(options.RetentionHorizon, fitting), Math.Min(options.MinimumRetentionHorizon, fitting));
        if (floor < options.MinimumRetentionHorizon)
            // Walks start a particle's depth below the newest arrivals; released weights there are rated 0 and redrawn.
            logger.LogWarning("Weights are {Bytes:N0} bytes each: half the {Cap:N0}-byte store cap holds those of {Fitting} transactions, fewer than the {Minimum} " +
                "walks start among (Peer:MinimumRetentionHorizon); raise Peer:StorageCap to learn as the defaults intend", weightsBytes, options.StorageCap, fitting, options.MinimumRetentionHorizon);
        else if (ceiling < options.RetentionHorizon)
            logger.LogInformation("Weights are {Bytes:N0} bytes each: keeping those of at most {Ceiling} newest transactions, half the {Cap:N0}-byte store cap",
                weightsBytes, ceiling, options.StorageCap);
        return (ceiling, floor);
    }
}
