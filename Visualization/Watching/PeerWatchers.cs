using MlAspire.Visualization.Membership;
using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Watching;

/// <summary>One <see cref="PeerWatcher"/> per member the bootstrap lists; restarted when a member's address changes.</summary>
internal sealed class PeerWatchers(TangleModel model, ObserverIdentity identity, VisualizationOptions options, GrpcTrust trust, TimeProvider time, ILogger<PeerWatchers> logger) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (PeerWatcher Watcher, CancellationTokenSource Stop, Task Running)> _running = new(StringComparer.Ordinal);

    public void Follow(string peerId, string grpcAddress, long joinedAtMs)
    {
        if (trust.Refusal(grpcAddress) is { } refusal)
        {
            logger.LogWarning("Peer {PeerId} is not followed: {Reason}.", peerId, refusal);
            return;
        }
        model.UpsertPeer(peerId, grpcAddress, joinedAtMs);
        lock (_lock)
        {
            if (_running.TryGetValue(peerId, out var current))
            {
                if (current.Watcher.GrpcAddress == grpcAddress) return;
                current.Stop.Cancel();
            }
            var watcher = new PeerWatcher(peerId, grpcAddress, new MemberCallCredentials(identity, peerId, time), model, options, trust, logger);
            var stop = new CancellationTokenSource();
            _running[peerId] = (watcher, stop, Task.Run(() => RunQuietlyAsync(watcher, stop.Token)));
        }
    }

    public void Forget(string peerId)
    {
        lock (_lock)
        {
            if (_running.Remove(peerId, out var current))
                current.Stop.Cancel();
        }
        model.SetState(peerId, PeerState.Left);
    }

    /// <summary>Forgets every followed peer not in <paramref name="members"/> (a fresh membership snapshot).</summary>
    public void Retain(IReadOnlySet<string> members)
    {
        List<string> gone;
        lock (_lock) gone = _running.Keys.Where(id => !members.Contains(id)).ToList();
        foreach (var id in gone) Forget(id);
    }

    private async Task RunQuietlyAsync(PeerWatcher watcher, CancellationToken stop)
    {
        try
        {
            await watcher.RunAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Following a peer at {Address} failed.", watcher.GrpcAddress);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Task> running;
        lock (_lock)
        {
            running = _running.Values.Select(r => r.Running).ToList();
            foreach (var r in _running.Values) r.Stop.Cancel();
            _running.Clear();
        }
        await Task.WhenAll(running);
    }
}
