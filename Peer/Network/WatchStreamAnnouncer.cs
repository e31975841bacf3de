using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Network;

/// <summary>
/// Announcements over gRPC watch streams (embedded mode): neighbours read this peer's replica feed, so announcing is
/// nothing to do here; following a neighbour is reading its WatchTransactions stream. A stream quiet for
/// <see cref="IdleTimeout"/> is reopened, so a connection that died without a word is never waited on for ever.
/// </summary>
public sealed class WatchStreamAnnouncer(Ingestor ingestor, RejectionLog rejections) : IAnnouncer
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(2);

    public Task AnnounceAsync(TransactionRecord own, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task FollowAsync(Neighbour neighbour, TangleSync.TangleSyncClient client, FollowCursor? cursor, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(IdleTimeout);
        using var watch = client.WatchTransactions(cursor is null ? new WatchTransactionsRequest() : new WatchTransactionsRequest { AfterSequence = cursor.Sequence }, cancellationToken: idle.Token);
        try
        {
            await foreach (var message in watch.ResponseStream.ReadAllAsync(idle.Token))
            {
                idle.CancelAfter(IdleTimeout);
                if (!Cid.TryParse(message.Cid, out var cid, out var error))
                {
                    rejections.Malformed(neighbour.PeerId, error);
                    continue;
                }
                var outcome = await ingestor.IngestAsync(new Announcement(cid, message.Document.ToByteArray(), AnnouncementPath.Live, neighbour.PeerId), cancellationToken);
                rejections.Report(neighbour.PeerId, cid, outcome);
                // Settled only when inserted or known: a live path defers history and rate-limits bursts that catch-up
                // takes, so anything else leaves a gap the next catch-up pass fills (and the cursor stops at it).
                if (outcome.Status is IngestStatus.Inserted or IngestStatus.Known)
                    cursor?.AdvanceIfNext(message.Sequence);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Quiet for too long: the caller reopens the stream.
        }
    }

    public Task ListenAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
}
