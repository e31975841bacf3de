using Microsoft.Extensions.Options;

namespace MlAspire.Bootstrap.Membership;

/// <summary>Drops peers and observers that stopped heartbeating: checks once per heartbeat interval, on the injected clock.</summary>
public sealed partial class MembershipSweeper : BackgroundService
{
    private readonly IMembershipRegistry _registry;
    private readonly ObserverRegistry _observers;
    private readonly ILogger<MembershipSweeper> _logger;
    private readonly TimeSpan _peerTimeout;

    // Created here rather than in ExecuteAsync so that it is on the clock before the host starts serving.
    private readonly PeriodicTimer _timer;

    public MembershipSweeper(IMembershipRegistry registry, ObserverRegistry observers, IOptions<BootstrapOptions> options, TimeProvider time, ILogger<MembershipSweeper> logger)
    {
        _registry = registry;
        _observers = observers;
        _logger = logger;
        _peerTimeout = options.Value.EffectivePeerTimeout;
        _timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var peer in _registry.DropSilentPeers())
                    LogDropped(peer.PeerId, peer.LastSeen, _peerTimeout);
                foreach (var observer in _observers.DropSilent())
                    LogObserverDropped(observer.PeerId, observer.LastSeen, _peerTimeout);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped peer {PeerId}: last seen {LastSeen:O}, silent for longer than {PeerTimeout}")]
    private partial void LogDropped(string peerId, DateTimeOffset lastSeen, TimeSpan peerTimeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped observer {PeerId}: last seen {LastSeen:O}, silent for longer than {PeerTimeout}")]
    private partial void LogObserverDropped(string peerId, DateTimeOffset lastSeen, TimeSpan peerTimeout);
}
