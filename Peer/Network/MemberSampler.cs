using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;

namespace MlAspire.Peer.Network;

/// <summary>
/// The safety net under bounded following (<see cref="FollowSelection"/>): every <see cref="GossipService.RepairInterval"/>
/// it reads the newest <see cref="Depth"/> records of one member this peer does not follow, chosen at random. A member
/// whose followers all withhold its transactions (Sybils that ground their ids to surround it on the ring, say) is still
/// heard within a few intervals, by every peer, at the cost of one short listing per interval.
/// </summary>
public sealed class MemberSampler(Replica replica, Ingestor ingestor, NeighbourDirectory neighbours, FollowSelection selection, RejectionLog rejections, ILogger<MemberSampler> logger) : BackgroundService
{
    /// <summary>Records read from the sampled member: more than a repair interval brings at 10 transactions a second.</summary>
    public const int Depth = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await replica.Restored.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(GossipService.RepairInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var unfollowed = neighbours.Current.Where(n => !selection.Followed.Contains(n.PeerId)).ToList();
            if (unfollowed.Count == 0)
                continue;
            var member = unfollowed[Random.Shared.Next(unfollowed.Count)];
            if (neighbours.Client(member.PeerId) is not { } client)
                continue;
            try
            {
                await SampleAsync(member, client, stoppingToken);
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug("Sampling {Peer} failed: {Error}", member.PeerId, e.Message);
            }
        }
    }

    private async Task SampleAsync(Neighbour member, TangleSync.TangleSyncClient client, CancellationToken stoppingToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(GossipService.RepairInterval);
        var status = await client.GetStatusAsync(new GetStatusRequest(), cancellationToken: deadline.Token);
        using var list = client.ListTransactions(new ListTransactionsRequest { AfterSequence = Math.Max(-1, status.TangleSize - 1 - Depth), MaxCount = Depth }, cancellationToken: deadline.Token);
        await foreach (var message in list.ResponseStream.ReadAllAsync(deadline.Token))
            await GossipService.OfferListedAsync(ingestor, rejections, member.PeerId, message, stoppingToken);
    }
}
