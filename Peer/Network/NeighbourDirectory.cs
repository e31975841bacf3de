using System.Collections.Concurrent;
using Grpc.Net.Client;
using MlAspire.Peer.Grpc;

namespace MlAspire.Peer.Network;

/// <summary>A neighbour as Bootstrap described it: its gRPC endpoint and, in IPFS mode, its node.</summary>
public sealed record Neighbour(string PeerId, string GrpcAddress, string IpfsNodeId, IReadOnlyList<string> IpfsAddresses);

/// <summary>
/// The peers this peer knows, with one gRPC channel each (channels are expensive and thread-safe: share them).
/// Updated from Bootstrap's membership; survives Bootstrap being down with the last known set.
/// </summary>
public sealed class NeighbourDirectory : IDisposable
{
    private readonly ConcurrentDictionary<string, (Neighbour Neighbour, GrpcChannel Channel)> _neighbours = new(StringComparer.Ordinal);

    public event Action<Neighbour>? Added;

    public IReadOnlyList<Neighbour> Current => _neighbours.Values.Select(n => n.Neighbour).OrderBy(n => n.PeerId, StringComparer.Ordinal).ToList();

    public void Upsert(Neighbour neighbour)
    {
        if (_neighbours.TryGetValue(neighbour.PeerId, out var existing))
        {
            if (existing.Neighbour.GrpcAddress == neighbour.GrpcAddress) return;
            Remove(neighbour.PeerId);
        }
        var channel = GrpcChannel.ForAddress(neighbour.GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 8 * 1024 * 1024 });
        if (_neighbours.TryAdd(neighbour.PeerId, (neighbour, channel)))
            Added?.Invoke(neighbour);
        else
            channel.Dispose();
    }

    public void Remove(string peerId)
    {
        if (_neighbours.TryRemove(peerId, out var removed))
            removed.Channel.Dispose();
    }

    public bool Contains(string peerId) => _neighbours.ContainsKey(peerId);

    public TangleSync.TangleSyncClient? Client(string peerId) =>
        _neighbours.TryGetValue(peerId, out var entry) ? new TangleSync.TangleSyncClient(entry.Channel) : null;

    public void Dispose()
    {
        foreach (var (_, channel) in _neighbours.Values)
            channel.Dispose();
        _neighbours.Clear();
    }
}
