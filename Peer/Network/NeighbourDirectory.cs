using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Membership;

namespace MlAspire.Peer.Network;

/// <summary>A neighbour as Bootstrap described it: its gRPC endpoint and, in IPFS mode, its node.</summary>
public sealed record Neighbour(string PeerId, string GrpcAddress, string IpfsNodeId, IReadOnlyList<string> IpfsAddresses);

/// <summary>
/// The peers this peer knows, with one gRPC channel each (channels are expensive and thread-safe: share them). Every
/// call on a channel carries this peer's membership headers for that neighbour; connections are kept alive with pings,
/// so a neighbour that silently vanished is noticed within seconds rather than at the next write.
/// Updated from Bootstrap's membership; survives Bootstrap being down with the last known set.
/// </summary>
public sealed partial class NeighbourDirectory(MembershipState membership, GrpcTrust trust, ILogger<NeighbourDirectory> logger) : IDisposable
{
    /// <summary>Largest message a neighbour may send: a weights block (1 MiB) with room to spare.</summary>
    public const int MaxReceiveMessageSize = 2 * 1024 * 1024;

    /// <summary>Each call's initial HTTP/2 receive window: a whole block's answer, and what a slow stream may buffer unread.</summary>
    public const int BlockWindow = 512 * 1024;

    private readonly ConcurrentDictionary<string, (Neighbour Neighbour, GrpcChannel Channel, TangleSync.TangleSyncClient Client)> _neighbours = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.Ordinal);

    /// <summary>Raised when a neighbour appears or changes address.</summary>
    public event Action<Neighbour>? Added;

    public IReadOnlyList<Neighbour> Current => _neighbours.Values.Select(n => n.Neighbour).ToList();

    public int Count => _neighbours.Count;

    public void Upsert(Neighbour neighbour)
    {
        if (_neighbours.TryGetValue(neighbour.PeerId, out var existing))
        {
            // Same gRPC address: keep the channel (calls in flight on it live on), take the new IPFS addresses if any.
            if (existing.Neighbour.GrpcAddress == neighbour.GrpcAddress)
            {
                if (existing.Neighbour.IpfsNodeId == neighbour.IpfsNodeId && existing.Neighbour.IpfsAddresses.SequenceEqual(neighbour.IpfsAddresses))
                    return;
                _neighbours[neighbour.PeerId] = existing with { Neighbour = neighbour };
                Added?.Invoke(neighbour);
                return;
            }
            Remove(neighbour.PeerId);
        }
        if (trust.Refusal(neighbour.GrpcAddress) is { } refusal)
        {
            // Said once per address: membership refreshes offer the same neighbour every few seconds.
            if (_refused.TryGetValue(neighbour.PeerId, out var said) is false || said != neighbour.GrpcAddress)
                LogRefused(neighbour.PeerId, refusal);
            _refused[neighbour.PeerId] = neighbour.GrpcAddress;
            return;
        }
        var channel = GrpcChannel.ForAddress(neighbour.GrpcAddress, new GrpcChannelOptions
        {
            HttpHandler = trust.Secure(new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
                // A block answer (200 KB of MLP weights, up to a 256 KiB chunk) in one flight: at the default 64 KiB window
                // the neighbour sends a quarter of it and waits for a window update, a round trip and two wake-ups each.
                InitialHttp2StreamWindowSize = BlockWindow,
            }),
            MaxReceiveMessageSize = MaxReceiveMessageSize,
        });
        var client = new TangleSync.TangleSyncClient(channel.Intercept(metadata =>
        {
            if (membership.HeadersFor(neighbour.PeerId) is { } headers)
            {
                metadata.Add(MemberCallHeaders.Credential, headers.Credential);
                metadata.Add(MemberCallHeaders.Proof, headers.Proof);
            }
            return metadata;
        }));
        if (_neighbours.TryAdd(neighbour.PeerId, (neighbour, channel, client)))
            Added?.Invoke(neighbour);
        else
            channel.Dispose();
    }

    public void Remove(string peerId)
    {
        _refused.TryRemove(peerId, out _);
        if (_neighbours.TryRemove(peerId, out var removed))
            removed.Channel.Dispose();
    }

    public bool Contains(string peerId) => _neighbours.ContainsKey(peerId);

    public TangleSync.TangleSyncClient? Client(string peerId) => _neighbours.TryGetValue(peerId, out var entry) ? entry.Client : null;

    public void Dispose()
    {
        foreach (var (_, channel, _) in _neighbours.Values)
            channel.Dispose();
        _neighbours.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not calling member {PeerId}: {Reason}")]
    private partial void LogRefused(string peerId, string reason);
}
