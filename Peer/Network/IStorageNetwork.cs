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

public sealed class IpfsStorageNetwork(KuboRpcClient ipfs, ILogger<IpfsStorageNetwork> logger) : IStorageNetwork
{
    public bool AnnouncesOnPubsub => true;

    public async Task<(string NodeId, IReadOnlyList<string> Addresses)> IdentityAsync(CancellationToken cancellationToken)
    {
        var identity = await ipfs.IdAsync(cancellationToken);
        return (identity.PeerId, identity.Addresses);
    }

    public async Task ConnectAsync(Neighbour neighbour, CancellationToken cancellationToken)
    {
        foreach (var address in neighbour.IpfsAddresses)
        {
            try
            {
                var full = address.Contains("/p2p/", StringComparison.Ordinal) ? address : $"{address}/p2p/{neighbour.IpfsNodeId}";
                await ipfs.SwarmConnectAsync(full, cancellationToken);
                return;
            }
            catch (Exception e) when (e is IpfsApiException or HttpRequestException or TimeoutException)
            {
                logger.LogDebug("Could not dial {Address} of {Peer}: {Error}", address, neighbour.PeerId, e.Message);
            }
        }
    }
}
