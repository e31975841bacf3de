using MlAspire.Storage.Ipfs;

namespace MlAspire.Peer.Network;

/// <summary>The storage backend's own network: IPFS nodes must be told about each other; the embedded store rides on gRPC.</summary>
public interface IStorageNetwork
{
    /// <summary>This peer's node id and the addresses other nodes dial, for Bootstrap to hand out.</summary>
    Task<(string NodeId, IReadOnlyList<string> Addresses)> IdentityAsync(CancellationToken cancellationToken);

    /// <summary>Connects to another peer's node (best effort: a failed dial is retried by the next round).</summary>
    Task ConnectAsync(Neighbour neighbour, CancellationToken cancellationToken);
}

public sealed class EmbeddedStorageNetwork : IStorageNetwork
{
    public Task<(string NodeId, IReadOnlyList<string> Addresses)> IdentityAsync(CancellationToken cancellationToken) =>
        Task.FromResult<(string, IReadOnlyList<string>)>(("", []));

    public Task ConnectAsync(Neighbour neighbour, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <remarks>
/// Every call is bounded: the node may be down or being replaced, and another member's addresses may lead nowhere. A
/// neighbour's addresses are dialed in parallel, each with its own deadline, so its dead addresses cost one deadline in
/// all, not one each.
/// </remarks>
public sealed class IpfsStorageNetwork(KuboRpcClient ipfs, ILogger<IpfsStorageNetwork> logger) : IStorageNetwork
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Dial rounds in a row a neighbour's node must leave a ping unanswered before its connection is closed.</summary>
    public const int SilentRoundsBeforeClosing = 2;

    private const int MaxTracked = 4096;

    // Keyed by node id, a member's claim: a made-up id costs one entry per member, and the Bootstrap bounds members.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _silentRounds = new(StringComparer.Ordinal);

    public async Task<(string NodeId, IReadOnlyList<string> Addresses)> IdentityAsync(CancellationToken cancellationToken)
    {
        using var bounded = Bounded(cancellationToken);
        try
        {
            var identity = await ipfs.IdAsync(bounded.Token);
            return (identity.PeerId, identity.Addresses);
        }
        catch (Exception e) when (NodeFailed(e, cancellationToken))
        {
            throw new IOException($"The IPFS node does not answer: {e.Message}", e);
        }
    }

    /// <remarks>
    /// A connection still open counts as done to swarm/connect, even when its packets vanish (across a partition) and
    /// TCP will not give up for many minutes: bitswap and pubsub then wait on it long after the network healed. So a
    /// neighbour's node is pinged first, and a connection that has not answered <see cref="SilentRoundsBeforeClosing"/>
    /// rounds running is closed before dialing again: a node merely busy for one ping (js-ipfs under large weights) keeps
    /// its transfers.
    /// </remarks>
    public async Task ConnectAsync(Neighbour neighbour, CancellationToken cancellationToken)
    {
        if (neighbour.IpfsNodeId.Length == 0)
            return; // no node to reach
        if (_silentRounds.Count > MaxTracked)
            _silentRounds.Clear(); // members who left: at worst one more round before a silent connection is closed
        if (await AnswersAsync(neighbour, cancellationToken))
        {
            _silentRounds.TryRemove(neighbour.IpfsNodeId, out _);
            return;
        }
        if (_silentRounds.AddOrUpdate(neighbour.IpfsNodeId, 1, (_, rounds) => rounds + 1) >= SilentRoundsBeforeClosing)
            await DisconnectAsync(neighbour, cancellationToken);
        await DialAsync(neighbour, cancellationToken);
    }

    private async Task<bool> AnswersAsync(Neighbour neighbour, CancellationToken cancellationToken)
    {
        using var bounded = Bounded(cancellationToken);
        try
        {
            return await ipfs.PingAsync(neighbour.IpfsNodeId, bounded.Token);
        }
        catch (Exception e) when (NodeFailed(e, cancellationToken))
        {
            return false;
        }
    }

    private async Task DisconnectAsync(Neighbour neighbour, CancellationToken cancellationToken)
    {
        using var bounded = Bounded(cancellationToken);
        try
        {
            await ipfs.SwarmDisconnectAsync($"/p2p/{neighbour.IpfsNodeId}", bounded.Token);
        }
        catch (Exception e) when (NodeFailed(e, cancellationToken))
        {
            // Not connected at all (the usual answer), or the node is failing: the dial says which.
        }
    }

    private async Task DialAsync(Neighbour neighbour, CancellationToken cancellationToken)
    {
        using var connected = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var dials = neighbour.IpfsAddresses.Select(async address =>
        {
            try
            {
                using var bounded = Bounded(connected.Token);
                var full = address.Contains("/p2p/", StringComparison.Ordinal) ? address : $"{address}/p2p/{neighbour.IpfsNodeId}";
                await ipfs.SwarmConnectAsync(full, bounded.Token);
                await connected.CancelAsync(); // one connection is enough
            }
            catch (Exception e) when (NodeFailed(e, cancellationToken))
            {
                logger.LogDebug("Could not dial {Address} of {Peer}: {Error}", address, neighbour.PeerId, e.Message);
            }
        });
        await Task.WhenAll(dials);
    }

    /// <summary>The node failed, was cut off or did not answer in time (not this peer stopping).</summary>
    private static bool NodeFailed(Exception e, CancellationToken cancellationToken) =>
        e is IpfsApiException or HttpRequestException or IOException or TimeoutException or System.Text.Json.JsonException or OperationCanceledException
        && !cancellationToken.IsCancellationRequested;

    private static CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(CallTimeout);
        return bounded;
    }
}
