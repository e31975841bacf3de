using System.Globalization;
using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Membership;

/// <summary>What a peer says about itself when it joins: who it is and where it can be reached.</summary>
/// <param name="GrpcAddress">Absolute http(s) URL of the peer's gRPC services.</param>
/// <param name="IpfsSwarmAddresses">Multiaddresses of its IPFS node; empty with the embedded store.</param>
/// <param name="MetricsAddress">host:port of its HTTP endpoint serving /metrics; empty when it is not scraped.</param>
public sealed record PeerRegistration(
    string PeerId,
    string GrpcAddress,
    IReadOnlyList<string> IpfsSwarmAddresses,
    string IpfsPeerId,
    string MetricsAddress)
{
    // Limits keep one registration small, so MaxPeers bounds the bootstrap's memory and the size of every member list it
    // sends: at most about 2.5 KB a peer, so 1,000 peers fit in 4 MB, gRPC's default for what a client receives.
    public const int MaxIdLength = 128;
    public const int MaxAddressLength = 256;
    public const int MaxSwarmAddresses = 8;

    /// <exception cref="InvalidPeerRegistrationException">A field is missing, malformed or too long.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(PeerId), "peer_id is required.");
        Require(PeerId.Length <= MaxIdLength && PeerId.All(c => char.IsAscii(c) && !char.IsControl(c) && !char.IsWhiteSpace(c)),
            $"peer_id must be at most {MaxIdLength} printable ASCII characters without spaces.");
        Require(GrpcAddress.Length <= MaxAddressLength
                && Uri.TryCreate(GrpcAddress, UriKind.Absolute, out var grpc) && grpc.Scheme is "http" or "https",
            $"grpc_address '{Shorten(GrpcAddress)}' must be an absolute http or https URL.");
        Require(IpfsSwarmAddresses.Count <= MaxSwarmAddresses, $"at most {MaxSwarmAddresses} ipfs_swarm_addresses are accepted.");
        Require(IpfsSwarmAddresses.All(a => a.Length is > 0 and <= MaxAddressLength), $"each ipfs_swarm_address must have 1 to {MaxAddressLength} characters.");
        Require(IpfsPeerId.Length <= MaxIdLength, $"ipfs_peer_id must be at most {MaxIdLength} characters.");
        Require(MetricsAddress.Length == 0 || IsHostAndPort(MetricsAddress), $"metrics_address '{Shorten(MetricsAddress)}' must be host:port.");
    }

    private static bool IsHostAndPort(string address)
    {
        var colon = address.LastIndexOf(':');
        if (address.Length > MaxAddressLength || colon <= 0)
            return false;
        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        return Uri.CheckHostName(host) != UriHostNameType.Unknown
            && int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }

    private static void Require(bool ok, string problem)
    {
        if (!ok) throw new InvalidPeerRegistrationException(problem);
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}

/// <summary>What a peer reports with each heartbeat.</summary>
public sealed record LearningStatus(long TangleSize, int Tips, double ReferenceAccuracy);

/// <summary>A member as the bootstrap knows it; times are the bootstrap's clock.</summary>
/// <param name="DataSlot">Which share of the demonstration data the peer trains on.</param>
/// <param name="Status">As of the last heartbeat; null before the first.</param>
/// <param name="Credential">The grant of the credential last issued to the peer, to renew it in time; null until one is.</param>
public sealed record PeerRecord(PeerRegistration Registration, int DataSlot, DateTimeOffset JoinedAt, DateTimeOffset LastSeen, LearningStatus? Status,
    MembershipGrant? Credential = null)
{
    public string PeerId => Registration.PeerId;
}

public enum MembershipChangeKind { Joined, Updated, Left, Dropped }

public sealed record MembershipChange(MembershipChangeKind Kind, PeerRecord Peer);
