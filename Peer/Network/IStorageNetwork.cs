using MlAspire.Storage.Ipfs;

namespace MlAspire.Peer.Network;

/// <summary>The storage backend's own network: IPFS nodes must be told about each other; the embedded store rides on gRPC.</summary>
public interface IStorageNetwork
{
    /// <summary>Whether announcements travel on the storage network (IPFS pubsub) rather than on TangleSync watch streams.</summary>
    bool AnnouncesOnPubsub { get; }

    /// <summary>This peer's node id and the addresses other nodes dial, for Bootstrap to hand out.</summary>
    Task<(string NodeId, IReadOnlyList<string> Addresses)> IdentityAsync(CancellationToken cancellationToken);

    /// <summary>Connects to another peer's node (best effort: a failed dial is retried at the next refresh).</summary>
    Task ConnectAsync(Neighbour neighbour, CancellationToken cancellationToken);
}

public sealed class EmbeddedStorageNetwork : IStorageNetwork
{
    public bool AnnouncesOnPubsub => false;

    public Task<(string NodeId, IReadOnlyList<string> Addresses)> IdentityAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(string, IReadOnlyList<string>)>(("", []));

    public Task ConnectAsync(Neighbour neighbour, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <remarks>
/// Every call is bounded: the node may be down or being replaced, and a hung dial must never stall the heartbeats
/// that keep this peer registered.
/// </remarks>
public sealed class IpfsStorageNetwork(KuboRpcClient ipfs, ILogger<IpfsStorageNetwork> logger) : IStorageNetwork
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    public bool AnnouncesOnPubsub => true;

    public async Task<(string NodeId, IReadOnlyList<string> Addresses)> IdentityAsync(CancellationToken cancellationToken)
    {
        using var bounded = Bounded(cancellationToken);
        try
        {
            var identity = await ipfs.IdAsync(bounded.Token);
            return (identity.PeerId, identity.Addresses);
        }
        catch (Exception e) when (e is IpfsApiException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"The IPFS node does not answer: {e.Message}", e);
        }
    }

    public async Task ConnectAsync(Neighbour neighbour, CancellationToken cancellationToken)
    {
        foreach (var address in neighbour.IpfsAddresses)
        {
            try
            {
                using var bounded = Bounded(cancellationToken);
                var full = address.Contains("/p2p/", StringComparison.Ordinal) ? address : $"{address}/p2p/{neighbour.IpfsNodeId}";
                await ipfs.SwarmConnectAsync(full, bounded.Token);
                return;
            }
            catch (Exception e) when (e is IpfsApiException or HttpRequestException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogDebug("Could not dial {Address} of {Peer}: {Error}", address, neighbour.PeerId, e.Message);
            }
        }
    }

    private static CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(CallTimeout);
        return bounded;
    }
}
