namespace MlAspire.Storage.Ipfs;

/// <summary>Who a node is and where other nodes can dial it (each address ends in /p2p/<see cref="PeerId"/>).</summary>
public sealed record NodeIdentity(string PeerId, IReadOnlyList<string> Addresses, string AgentVersion);

/// <summary>A connected peer and the address of the connection (without the /p2p suffix).</summary>
public sealed record SwarmPeer(string PeerId, string Address);

/// <summary>Repository usage in bytes and blocks, and the configured cap (Datastore.StorageMax).</summary>
public sealed record RepoStatistics(long RepoSize, long StorageMax, long NumObjects);

/// <summary>A pubsub message as delivered to a subscriber; topics are the topic names, decoded.</summary>
public sealed record PubsubMessage(string From, byte[] Data, byte[] Seqno, IReadOnlyList<string> Topics);

/// <summary>The error body of a failed RPC call.</summary>
public sealed record IpfsError(string Message, int Code, string Type);

public enum PinRemoval
{
    Removed,

    /// <summary>The CID had no direct pin (it was never pinned, already unpinned, or only pinned through a parent).</summary>
    NotPinned,
}
