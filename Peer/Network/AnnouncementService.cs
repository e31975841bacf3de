using MlAspire.Peer.Engine;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Ipfs;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Network;

/// <summary>
/// Runs the announcer: hands it each of this peer's own new transactions, read from the replica's feed by sequence (so
/// a slow transport falls behind, never overflows), and lets it listen for others' once the first catch-up is done.
/// It starts once the replica is restored after a restart, past what was replayed; an own transaction older than the
/// history age that a neighbour hands back is not announced again either.
/// </summary>
public sealed class AnnouncementService(Replica replica, IAnnouncer announcer, GossipService gossip, TangleGuards guards, PeerKey key, TimeProvider time, PeerMetrics metrics, ILogger<AnnouncementService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await replica.Restored.WaitAsync(stoppingToken);
        await Task.WhenAll(AnnounceOwnAsync(stoppingToken), ListenAfterFirstPassAsync(stoppingToken));
    }

    private async Task ListenAfterFirstPassAsync(CancellationToken stoppingToken)
    {
        await gossip.FirstPass.WaitAsync(stoppingToken);
        await announcer.ListenAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task AnnounceOwnAsync(CancellationToken stoppingToken)
    {
        long cursor = replica.Snapshot.Size - 1;
        while (!stoppingToken.IsCancellationRequested)
        {
            await replica.WaitForRecordsAsync(cursor, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var record in replica.Since(cursor, 500))
            {
                cursor = record.Sequence;
                if (record.Transaction.Publisher != key.Id || record.Transaction.CreatedAt < time.GetUtcNow().ToUnixTimeMilliseconds() - guards.HistoryAgeMs)
                    continue;
                try
                {
                    await announcer.AnnounceAsync(record, stoppingToken);
                }
                catch (Exception e) when (e is IpfsApiException or HttpRequestException or TimeoutException or IOException)
                {
                    metrics.PublishFailed("announce");
                    logger.LogWarning("Could not announce {Cid}: {Error}; peers will still get it as a parent or on catch-up", record.Cid, e.Message);
                }
            }
        }
    }
}
