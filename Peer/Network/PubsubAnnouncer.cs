using System.Text.Json;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Peer.Hosting;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Peer.Network;

/// <summary>
/// Announcements over IPFS pubsub: a peer publishes each of its own transactions (the signed block itself, so a receiver
/// derives the CID from the bytes) on the topic named by the genesis CID, and ingests what others publish,
/// <see cref="PeerOptions.IngestConcurrency"/> at a time (each waits on the IPFS node). Messages are charged to the
/// IPFS node that published them, whose rate is limited like a neighbour's stream.
/// </summary>
public sealed class PubsubAnnouncer(Replica replica, TransactionDocuments documents, Ingestor ingestor, KuboRpcClient ipfs, RejectionLog rejections, IConfiguration configuration, ILogger<PubsubAnnouncer> logger) : IAnnouncer
{
    private readonly int _concurrency = Math.Max(1, (configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions()).IngestConcurrency);

    private string Topic => replica.Genesis.ToString();

    public async Task AnnounceAsync(TransactionRecord own, CancellationToken cancellationToken)
    {
        if (await documents.ReadAsync(own, cancellationToken) is { } document)
            await ipfs.PubsubPublishAsync(Topic, document, cancellationToken);
    }

    public Task FollowAsync(Neighbour neighbour, TangleSync.TangleSyncClient client, FollowCursor? cursor, CancellationToken cancellationToken) =>
        Task.Delay(Timeout.Infinite, cancellationToken);

    public async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // While all workers are busy the subscription is not read: the IPFS node buffers, nothing is dropped here.
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken };
                await Parallel.ForEachAsync(ipfs.PubsubSubscribeAsync(Topic, cancellationToken), parallel, async (message, ct) =>
                {
                    var cid = Cid.Compute(ContentCodec.DagJson, message.Data);
                    try
                    {
                        rejections.Report(message.From, cid, await ingestor.IngestAsync(new Announcement(cid, message.Data, AnnouncementPath.Live, message.From), ct));
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        // The IPFS node failed this one (it may be restarting); the transaction comes back as a parent or on catch-up.
                        logger.LogWarning("Could not ingest an announcement from node {From}: {Error}", message.From, e.Message);
                    }
                });
            }
            // JsonException, FormatException: a line the node sent was not a message; the subscription cannot go on past it.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Pubsub subscription ended ({Error}); resubscribing", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
