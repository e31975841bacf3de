using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Network;

/// <summary>
/// Catch-up, and embedded mode's pubsub: on every (re)connection to a neighbour it first catches up with
/// ListTransactions, so a late joiner or a peer back from a crash gets the whole tangle; then, unless announcements
/// travel on IPFS pubsub, it keeps a WatchTransactions stream open and ingests what arrives. Streams end and reconnect
/// with backoff; one neighbour's failure affects no other.
/// </summary>
public sealed class GossipService(PeerEngine engine, NeighbourDirectory neighbours, IStorageNetwork storageNetwork, ILogger<GossipService> logger) : BackgroundService
{
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
                    await CatchUpAsync(client, stoppingToken);
                    await Task.Delay(Timeout.Infinite, stoppingToken); // caught up; pubsub carries the rest
                }
                using var watch = client.WatchTransactions(new WatchTransactionsRequest(), cancellationToken: stoppingToken);
                await CatchUpAsync(client, stoppingToken);
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
            await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private async Task CatchUpAsync(TangleSync.TangleSyncClient client, CancellationToken stoppingToken)
    {
        using var list = client.ListTransactions(new ListTransactionsRequest { AfterSequence = 0 }, cancellationToken: stoppingToken);
        await foreach (var message in list.ResponseStream.ReadAllAsync(stoppingToken))
            await IngestAsync(null, message, stoppingToken);
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
