using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Peer.Network;

/// <summary>
/// Catch-up, and embedded mode's pubsub: on every (re)connection to a neighbour it first catches up with
/// ListTransactions, so a late joiner or a peer back from a crash gets the whole tangle; then, unless announcements
/// travel on IPFS pubsub, it keeps a WatchTransactions stream open and ingests what arrives; when they do, it catches
/// up again every 15 s from where it stopped, which repairs what pubsub lost. Streams end and reconnect
/// with backoff; one neighbour's failure affects no other.
/// </summary>
public sealed class GossipService(PeerEngine engine, NeighbourDirectory neighbours, IStorageNetwork storageNetwork, ILogger<GossipService> logger) : BackgroundService
{
    private static readonly TimeSpan PubsubRepairInterval = TimeSpan.FromSeconds(15);

    private readonly Dictionary<string, Task> _streams = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (engine.IsInitialized)
                foreach (var neighbour in neighbours.Current)
                    if (!_streams.TryGetValue(neighbour.PeerId, out var running) || running.IsCompleted)
                        _streams[neighbour.PeerId] = FollowAsync(neighbour, stoppingToken);
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Task.WhenAll(_streams.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task FollowAsync(Neighbour neighbour, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested && neighbours.Client(neighbour.PeerId) is { } client)
        {
            try
            {
                if (storageNetwork.AnnouncesOnPubsub)
                {
                    // Pubsub is best effort: what was announced while this peer's IPFS node was down, or what a busy node
                    // dropped, is never redelivered. Catching up again on a schedule, from where the last pass ended, repairs it.
                    var after = 0L;
                    while (true)
                    {
                        after = await CatchUpAsync(client, after, stoppingToken);
                        backoff = TimeSpan.FromMilliseconds(500);
                        await Task.Delay(PubsubRepairInterval, stoppingToken);
                    }
                }
                using var watch = client.WatchTransactions(new WatchTransactionsRequest(), cancellationToken: stoppingToken);
                await CatchUpAsync(client, 0, stoppingToken);
                backoff = TimeSpan.FromMilliseconds(500);
                await foreach (var message in watch.ResponseStream.ReadAllAsync(stoppingToken))
                    await IngestAsync(neighbour, message, stoppingToken);
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug("Stream from {Peer} ended: {Status}", neighbour.PeerId, e.Status.Detail);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or IpfsApiException or TimeoutException)
            {
                // This peer's own store failed (its IPFS node may be restarting): start over from a full catch-up.
                logger.LogWarning("Following {Peer} paused: {Error}", neighbour.PeerId, e.Message);
            }
            await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    /// <summary>Ingests the neighbour's transactions after <paramref name="afterSequence"/>; returns the last sequence seen.</summary>
    private async Task<long> CatchUpAsync(TangleSync.TangleSyncClient client, long afterSequence, CancellationToken stoppingToken)
    {
        using var list = client.ListTransactions(new ListTransactionsRequest { AfterSequence = afterSequence }, cancellationToken: stoppingToken);
        await foreach (var message in list.ResponseStream.ReadAllAsync(stoppingToken))
        {
            await IngestAsync(null, message, stoppingToken);
            afterSequence = Math.Max(afterSequence, message.Sequence);
        }
        return afterSequence;
    }

    private async Task IngestAsync(Neighbour? from, TransactionMessage message, CancellationToken stoppingToken)
    {
        if (!Cid.TryParse(message.Cid, out var cid, out var error))
        {
            logger.LogWarning("Ignored an announcement with a malformed CID from {Peer}: {Error}", from?.PeerId ?? "catch-up", error);
            return;
        }
        var outcome = await engine.IngestAsync(cid, message.Document.ToByteArray(), stoppingToken, weightsMayBeReleased: message.WeightsReleased);
        if (outcome.Status == IngestStatus.Rejected)
            logger.LogWarning("Rejected transaction {Cid} ({Reason}): {Error}", cid, outcome.Reason, outcome.Error);
    }
}
