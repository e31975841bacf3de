using MlAspire.Peer.Engine;
using MlAspire.Peer.Hosting;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Peer.Network;

/// <summary>
/// IPFS mode's announcements: a peer publishes each of its own transactions (the signed block itself, so a receiver
/// derives the CID from the bytes) on the pubsub topic named by the genesis CID, and ingests what others publish.
/// Anything that does not hash, parse or verify is rejected and counted by the engine like any other forgery.
/// Announcements are ingested <see cref="PeerOptions.IngestConcurrency"/> at a time: each waits on the IPFS node, and a
/// child ingested before its parent simply fetches the parent, which the parent's own ingestion then finds known.
/// </summary>
public sealed class PubsubGossip(PeerEngine engine, KuboRpcClient ipfs, IConfiguration configuration, ILogger<PubsubGossip> logger) : BackgroundService
{
    private readonly int _concurrency = Math.Max(1, (configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions()).IngestConcurrency);

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
            catch (Exception e) when (e is IpfsApiException or HttpRequestException or TimeoutException)
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
                // While all workers are busy the subscription is not read: the IPFS node buffers, nothing is dropped here.
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = stoppingToken };
                await Parallel.ForEachAsync(ipfs.PubsubSubscribeAsync(topic, stoppingToken), parallel, async (message, ct) =>
                {
                    try
                    {
                        var outcome = await engine.IngestAsync(Cid.Compute(ContentCodec.DagJson, message.Data), message.Data, ct);
                        if (outcome.Status == IngestStatus.Rejected)
                            logger.LogWarning("Rejected an announcement from node {From} ({Reason}): {Error}", message.From, outcome.Reason, outcome.Error);
                    }
                    catch (Exception e) when (e is IpfsApiException or HttpRequestException or IOException or TimeoutException && !ct.IsCancellationRequested)
                    {
                        // The IPFS node failed this one (it may be restarting); the transaction comes back as a parent or on catch-up.
                        logger.LogWarning("Could not ingest an announcement from node {From}: {Error}", message.From, e.Message);
                    }
                });
            }
            catch (Exception e) when (e is IpfsApiException or HttpRequestException or IOException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Pubsub subscription ended ({Error}); resubscribing", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
