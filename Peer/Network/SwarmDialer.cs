namespace MlAspire.Peer.Network;

/// <summary>
/// Keeps this peer's IPFS node connected to its neighbours' nodes, off the Bootstrap heartbeat path: a neighbour is
/// dialed as soon as it appears, and every neighbour again each <see cref="Round"/>, all in parallel (up to
/// <see cref="Parallel"/> at once), so members whose addresses lead nowhere delay nobody's heartbeat.
/// </summary>
public sealed class SwarmDialer(NeighbourDirectory neighbours, IStorageNetwork storageNetwork, ILogger<SwarmDialer> logger) : BackgroundService
{
    public static readonly TimeSpan Round = TimeSpan.FromSeconds(30);
    public const int Parallel = 16;

    private readonly SemaphoreSlim _slots = new(Parallel, Parallel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        neighbours.Added += neighbour => _ = DialAsync(neighbour, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.WhenAll(neighbours.Current.Select(n => DialAsync(n, stoppingToken)));
            await Task.Delay(Round, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task DialAsync(Neighbour neighbour, CancellationToken stoppingToken)
    {
        try
        {
            await _slots.WaitAsync(stoppingToken);
            try
            {
                await storageNetwork.ConnectAsync(neighbour, stoppingToken);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        catch (Exception e)
        {
            logger.LogDebug("Dialing {Peer} failed: {Error}", neighbour.PeerId, e.Message);
        }
    }
}
