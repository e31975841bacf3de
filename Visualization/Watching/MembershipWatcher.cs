using Grpc.Core;
using MlAspire.Bootstrap.Grpc;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Visualization.Watching;

/// <summary>
/// Follows the bootstrap's membership (WatchPeers) and keeps one watcher per member. When the bootstrap is down the
/// peers already followed stay followed (they keep learning without it); the watch is retried.
/// </summary>
internal sealed class MembershipWatcher(BootstrapClient bootstrap, PeerWatchers peers, VisualizationOptions options, ILogger<MembershipWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var watch = bootstrap.WatchPeers(new WatchPeersRequest(), cancellationToken: stoppingToken);
                await foreach (var change in watch.ResponseStream.ReadAllAsync(stoppingToken))
                    Apply(change);
                logger.LogInformation("The bootstrap ended the membership watch; watching again.");
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                var level = e.StatusCode == StatusCode.Unauthenticated ? LogLevel.Error : LogLevel.Information;
                logger.Log(level, "Membership watch failed ({Code}: {Detail}); retrying in {Delay}.", e.StatusCode, e.Status.Detail, options.RetryDelay);
                await Task.Delay(options.RetryDelay, stoppingToken);
            }
        }
    }

    private void Apply(PeerEvent change)
    {
        switch (change.Kind)
        {
            case PeerEvent.Types.Kind.Snapshot:
                peers.Retain(change.Peers.Select(p => p.PeerId).ToHashSet(StringComparer.Ordinal));
                foreach (var peer in change.Peers)
                    peers.Follow(peer.PeerId, peer.GrpcAddress, peer.JoinedAtMs);
                break;
            case PeerEvent.Types.Kind.Joined or PeerEvent.Types.Kind.Updated:
                peers.Follow(change.Peer.PeerId, change.Peer.GrpcAddress, change.Peer.JoinedAtMs);
                break;
            case PeerEvent.Types.Kind.Left or PeerEvent.Types.Kind.Dropped:
                peers.Forget(change.Peer.PeerId);
                break;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await peers.DisposeAsync();
    }
}
