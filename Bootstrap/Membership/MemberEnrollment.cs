using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Membership;

/// <summary>A member just enrolled: its credential, and the data slot it trains on (null for an observer).</summary>
public sealed record Enrolment(MembershipCredential Credential, int? DataSlot);

/// <summary>A heartbeat's answer: whether the caller is a member, and its renewed credential when one was due.</summary>
public sealed record HeartbeatOutcome(bool Known, MembershipCredential? Renewed);

/// <summary>
/// Peers and observers with their credentials. A peer's grant lets it publish and caps its sample count at the training
/// samples of its data slot; an observer's lets it read only. Every join issues a fresh credential, and a heartbeat
/// renews one once less than half of its lifetime remains.
/// </summary>
public sealed partial class MemberEnrollment(
    IMembershipRegistry peers, ObserverRegistry observers, CredentialIssuer issuer, SlotSampleCaps sampleCaps, ILogger<MemberEnrollment> logger)
{
    /// <exception cref="InvalidPeerRegistrationException">The registration is malformed, or the id is an observer's.</exception>
    /// <exception cref="MembershipLimitException">The peer is new and the membership is full.</exception>
    public Enrolment JoinPeer(PeerRegistration registration)
    {
        if (observers.Contains(registration.PeerId))
            throw new InvalidPeerRegistrationException($"{registration.PeerId} is an observer; it cannot be a peer too (leave first).");
        var change = peers.Join(registration);
        var peer = change.Peer;
        if (change.Kind == MembershipChangeKind.Joined)
            LogJoined(peer.PeerId, peer.Registration.GrpcAddress, peer.DataSlot);
        else
            LogJoinedAgain(peer.PeerId, peer.Registration.GrpcAddress);
        return new Enrolment(IssueTo(peer), peer.DataSlot);
    }

    /// <exception cref="InvalidPeerRegistrationException">The id is a peer's.</exception>
    /// <exception cref="MembershipLimitException">The observer is new and the observers are as many as allowed.</exception>
    public Enrolment JoinObserver(string peerId)
    {
        if (peers.Contains(peerId))
            throw new InvalidPeerRegistrationException($"{peerId} is a peer; it cannot be an observer too (leave first).");
        var observer = observers.Join(peerId);
        LogObserverJoined(peerId);
        return new Enrolment(IssueTo(observer), DataSlot: null);
    }

    /// <summary>A peer or an observer now.</summary>
    public bool IsMember(string peerId) => peers.Contains(peerId) || observers.Contains(peerId);

    public HeartbeatOutcome Heartbeat(string peerId, LearningStatus? status)
    {
        if (peers.Heartbeat(peerId, status) is { } peer)
            return new HeartbeatOutcome(true, issuer.IsDue(peer.Credential) ? IssueTo(peer) : null);
        if (observers.Heartbeat(peerId) is { } observer)
            return new HeartbeatOutcome(true, issuer.IsDue(observer.Credential) ? IssueTo(observer) : null);
        return new HeartbeatOutcome(false, null);
    }

    /// <summary>Removes the member; leaving twice is not an error.</summary>
    public void Leave(string peerId)
    {
        if (peers.Leave(peerId))
            LogLeft(peerId);
        else if (observers.Leave(peerId))
            LogObserverLeft(peerId);
    }

    private MembershipCredential IssueTo(PeerRecord peer)
    {
        var credential = issuer.Issue(peer.PeerId, sampleCaps.Of(peer.DataSlot), publish: true);
        peers.RecordCredential(peer.PeerId, credential.Grant);
        return credential;
    }

    private MembershipCredential IssueTo(ObserverRecord observer)
    {
        var credential = issuer.Issue(observer.PeerId, samples: 0, publish: false);
        observers.RecordCredential(observer.PeerId, credential.Grant);
        return credential;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {PeerId} joined from {GrpcAddress} and trains on data slot {DataSlot}")]
    private partial void LogJoined(string peerId, string grpcAddress, int dataSlot);

    // Frequent re-joins from alternating addresses mean two processes share one peer key.
    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {PeerId} joined again, from {GrpcAddress}")]
    private partial void LogJoinedAgain(string peerId, string grpcAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {PeerId} left")]
    private partial void LogLeft(string peerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Observer {PeerId} joined")]
    private partial void LogObserverJoined(string peerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Observer {PeerId} left")]
    private partial void LogObserverLeft(string peerId);
}
