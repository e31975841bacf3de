using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Peer.Network;

/// <summary>
/// IPFS mode's announcements: a peer publishes each of its own transactions (the signed block itself, so a receiver
/// derives the CID from the bytes) on the pubsub topic named by the genesis CID, and ingests what others publish.
/// Anything that does not hash, parse or verify is rejected and counted by the engine like any other forgery.
/// </summary>
public sealed class PubsubGossip(PeerEngine engine, KuboRpcClient ipfs, ILogger<PubsubGossip> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await engine.Initialized.WaitAsync(stoppingToken);
        var topic = engine.Genesis.ToString();
        await Task.WhenAll(AnnounceOwnAsync(topic, stoppingToken), ListenAsync(topic, stoppingToken));
    }

    private async Task AnnounceOwnAsync(string topic, CancellationToken stoppingToken)
    {
        await foreach (var record in engine.Watch(stoppingToken).ReadAllAsync(stoppingToken))
        {
            if (record.Transaction.Publisher != engine.PeerId) continue;
            try
            {
                await ipfs.PubsubPublishAsync(topic, record.Document, stoppingToken);
            }
            catch (Exception e) when (e is IpfsApiException or HttpRequestException)
            {
                engine.Metrics.PublishFailed("announce");
                logger.LogWarning("Could not announce {Cid}: {Error}; peers will still get it as a parent or on catch-up", record.Cid, e.Message);
            }
        }
    }

    private async Task ListenAsync(string topic, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var message in ipfs.PubsubSubscribeAsync(topic, stoppingToken))
                {
                    var outcome = await engine.IngestAsync(Cid.Compute(ContentCodec.DagJson, message.Data), message.Data, stoppingToken);
                    if (outcome.Status == IngestStatus.Rejected)
                        logger.LogWarning("Rejected an announcement from node {From} ({Reason}): {Error}", message.From, outcome.Reason, outcome.Error);
                }
            }
            catch (Exception e) when (e is IpfsApiException or HttpRequestException or IOException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Pubsub subscription ended ({Error}); resubscribing", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
