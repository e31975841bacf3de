using Grpc.Core;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Hosting;
using MlAspire.Storage.Content;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Peer.Network;

/// <summary>
/// Joins through Bootstrap (adopting its genesis and parameters), then heartbeats and refreshes the neighbour list.
/// Bootstrap being down never stops learning: the peer keeps its neighbours, retries with backoff, and re-joins when
/// Bootstrap answers again or says it no longer knows the peer.
/// </summary>
public sealed class BootstrapRegistration(
    BootstrapClient bootstrap,
    PeerEngine engine,
    PeerSession session,
    NeighbourDirectory neighbours,
    PeerStatusReporter status,
    AdvertisedAddresses addresses,
    IStorageNetwork storageNetwork,
    ILogger<BootstrapRegistration> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var heartbeat = await JoinAsync(stoppingToken);
                backoff = TimeSpan.FromMilliseconds(500);
                while (await HeartbeatAsync(stoppingToken))
                    await Task.Delay(heartbeat, stoppingToken);
                logger.LogWarning("Bootstrap no longer knows this peer; joining again");
            }
            catch (Exception e) when (e is RpcException or IOException && !stoppingToken.IsCancellationRequested)
            {
                if (e is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied } refused)
                    logger.LogError("Bootstrap refused this peer ({Detail}); check the join token. Retrying in {Delay}", refused.Status.Detail, backoff);
                else
                    logger.LogWarning("Could not register with Bootstrap ({Error}); learning goes on, retrying in {Delay}", e.Message, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
        await LeaveAsync();
    }

    private async Task<TimeSpan> JoinAsync(CancellationToken stoppingToken)
    {
        var (nodeId, nodeAddresses) = await storageNetwork.IdentityAsync(stoppingToken);
        var request = new JoinRequest { PeerId = engine.PeerId, GrpcAddress = addresses.Grpc, MetricsAddress = addresses.Metrics, IpfsPeerId = nodeId };
        request.IpfsSwarmAddresses.AddRange(nodeAddresses.Take(16));
        var response = await bootstrap.JoinAsync(request, deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: stoppingToken);

        var genesis = Cid.Parse(response.GenesisCid);
        await engine.InitializeAsync(genesis, response.GenesisTransaction.ToByteArray(), response.GenesisWeights.ToByteArray(), stoppingToken);
        var settings = SessionMapping.ToSettings(response, response.Data);
        session.Start(settings);
        await RefreshAsync(response.Peers, stoppingToken);
        logger.LogInformation("Joined tangle {Genesis} as {Peer} with {Count} other peers", genesis, engine.PeerId, response.Peers.Count);
        return settings.HeartbeatInterval;
    }

    private async Task<bool> HeartbeatAsync(CancellationToken stoppingToken)
    {
        var current = status.Current();
        var reply = await bootstrap.HeartbeatAsync(new HeartbeatRequest
        {
            PeerId = engine.PeerId,
            Status = new MlAspire.Bootstrap.Grpc.PeerStatus { TangleSize = current.TangleSize, Tips = current.Tips, ReferenceAccuracy = current.ReferenceAccuracy },
        }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: stoppingToken);
        if (!reply.Known) return false;
        var peers = await bootstrap.ListPeersAsync(new ListPeersRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: stoppingToken);
        await RefreshAsync(peers.Peers, stoppingToken);
        return true;
    }

    private async Task RefreshAsync(IEnumerable<PeerInfo> peers, CancellationToken stoppingToken)
    {
        var others = peers.Where(p => p.PeerId != engine.PeerId && !string.IsNullOrEmpty(p.GrpcAddress)).ToList();
        foreach (var peer in others)
        {
            var neighbour = new Neighbour(peer.PeerId, peer.GrpcAddress, peer.IpfsPeerId, [.. peer.IpfsSwarmAddresses]);
            neighbours.Upsert(neighbour);
            await storageNetwork.ConnectAsync(neighbour, stoppingToken);
        }
        // Bootstrap's list is the truth about who is alive; keep the last known set only while Bootstrap is unreachable.
        foreach (var gone in neighbours.Current.Where(n => others.All(p => p.PeerId != n.PeerId)))
            neighbours.Remove(gone.PeerId);
    }

    private async Task LeaveAsync()
    {
        try
        {
            await bootstrap.LeaveAsync(new LeaveRequest { PeerId = engine.PeerId }, deadline: DateTime.UtcNow.AddSeconds(2));
        }
        catch (RpcException)
        {
            // Shutting down anyway: Bootstrap drops silent peers after its timeout.
        }
    }
}

/// <summary>How other peers and Prometheus reach this peer.</summary>
public sealed record AdvertisedAddresses(string Grpc, string Metrics);
