using Grpc.Core;
using Grpc.Net.Client;
using MlAspire.Peer.Grpc;
using MlAspire.Visualization.Membership;
using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Watching;

/// <summary>
/// Follows one peer until cancelled: its transactions (catch-up with ListTransactions, then WatchTransactions) and its
/// status, sampled every <see cref="VisualizationOptions.StatusInterval"/>. Every call carries the observer's
/// membership headers. Failures (a refusal too) mark the peer unreachable and are retried; a restarted peer that
/// renumbered its replica is read again from its newest window (duplicates dropped).
/// </summary>
internal sealed class PeerWatcher(string peerId, string grpcAddress, MemberCallCredentials membership, TangleModel model, VisualizationOptions options, GrpcTrust trust, ILogger logger)
{
    private const int CatchUpPage = 500;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private bool _unreachable;

    public string GrpcAddress => grpcAddress;

    public async Task RunAsync(CancellationToken cancellation)
    {
        using var channel = GrpcChannel.ForAddress(grpcAddress, new GrpcChannelOptions
        {
            // Not the factory's resilient client: its 30 s total timeout would end the endless watch stream.
            HttpHandler = trust.Secure(new SocketsHttpHandler { KeepAlivePingDelay = TimeSpan.FromSeconds(20), KeepAlivePingTimeout = TimeSpan.FromSeconds(10), EnableMultipleHttp2Connections = true }),
            MaxReceiveMessageSize = 8 * 1024 * 1024,
            Credentials = GrpcTrust.ChannelCredentials(new Uri(grpcAddress), membership.ToCallCredentials()),
            // Local runs serve cleartext h2c; GrpcTrust refuses cleartext wherever TLS is configured.
            UnsafeUseInsecureChannelCallCredentials = true,
        });
        var client = new TangleSync.TangleSyncClient(channel);
        await Task.WhenAll(FollowTransactionsAsync(client, cancellation), SampleStatusAsync(client, cancellation));
    }

    private async Task FollowTransactionsAsync(TangleSync.TangleSyncClient client, CancellationToken cancellation)
    {
        long? cursor = null;
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                var status = await client.GetStatusAsync(new GetStatusRequest(), deadline: Deadline(), cancellationToken: cancellation);
                // First contact, or the replica is now shorter than what was read (a restart renumbered it): start at its newest window.
                if (cursor is null || cursor >= status.TangleSize)
                    cursor = Math.Max(-1, status.TangleSize - options.TransactionsPerPeer - 1);
                // Watch first, then catch up, so nothing inserted in between is missed; gaps the watch shows are listed.
                using var watch = client.WatchTransactions(new WatchTransactionsRequest(), cancellationToken: cancellation);
                cursor = await CatchUpAsync(client, cursor.Value, int.MaxValue, cancellation);
                model.SetState(peerId, PeerState.Live);
                _unreachable = false;
                await foreach (var message in watch.ResponseStream.ReadAllAsync(cancellation))
                {
                    if (message.Sequence <= cursor) continue;
                    if (message.Sequence > cursor + 1)
                        cursor = await CatchUpAsync(client, cursor.Value, (int)(message.Sequence - cursor.Value - 1), cancellation);
                    model.AddTransactions(peerId, [message.ToView()]);
                    cursor = message.Sequence;
                }
                throw new RpcException(new Status(StatusCode.Unavailable, "The peer ended its transaction stream."));
            }
            catch (RpcException e) when (!cancellation.IsCancellationRequested)
            {
                await ReportUnreachableAsync(e, cancellation);
            }
        }
    }

    private async Task<long> CatchUpAsync(TangleSync.TangleSyncClient client, long after, int max, CancellationToken cancellation)
    {
        using var list = client.ListTransactions(new ListTransactionsRequest { AfterSequence = after, MaxCount = max }, deadline: DateTime.UtcNow.AddMinutes(1), cancellationToken: cancellation);
        var page = new List<TransactionView>(CatchUpPage);
        await foreach (var message in list.ResponseStream.ReadAllAsync(cancellation))
        {
            page.Add(message.ToView());
            after = Math.Max(after, message.Sequence);
            if (page.Count == CatchUpPage)
            {
                model.AddTransactions(peerId, page);
                page = new List<TransactionView>(CatchUpPage);
            }
        }
        model.AddTransactions(peerId, page);
        return after;
    }

    private async Task SampleStatusAsync(TangleSync.TangleSyncClient client, CancellationToken cancellation)
    {
        using var timer = new PeriodicTimer(options.StatusInterval);
        do
        {
            try
            {
                var status = await client.GetStatusAsync(new GetStatusRequest(), deadline: Deadline(), cancellationToken: cancellation);
                model.RecordStatus(peerId, status.ToView(model.NowMs));
            }
            catch (RpcException e) when (!cancellation.IsCancellationRequested)
            {
                logger.LogDebug("Status of peer {PeerId} at {Address} failed: {Status}", peerId, grpcAddress, e.Status);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellation));
    }

    private async Task ReportUnreachableAsync(RpcException e, CancellationToken cancellation)
    {
        // Once per outage at Information; the retries after it at Debug.
        var level = _unreachable ? LogLevel.Debug : LogLevel.Information;
        _unreachable = true;
        logger.Log(level, "Peer {PeerId} at {Address} unreachable ({Code}: {Detail}); retrying every {Delay}.", peerId, grpcAddress, e.StatusCode, e.Status.Detail, options.RetryDelay);
        model.SetState(peerId, PeerState.Unreachable, $"{e.StatusCode}: {e.Status.Detail}");
        await Task.Delay(options.RetryDelay, cancellation);
    }

    private static DateTime Deadline() => DateTime.UtcNow.Add(CallTimeout);
}
