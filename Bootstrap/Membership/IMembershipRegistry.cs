using System.Threading.Channels;
using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Membership;

/// <summary>The current members of the tangle, and a stream of changes to them.</summary>
public interface IMembershipRegistry
{
    /// <summary>Every member, ordered by peer id.</summary>
    IReadOnlyList<PeerRecord> Peers { get; }

    bool Contains(string peerId);

    /// <summary>
    /// Registers a peer and gives it the data slot fewest members hold, or updates the addresses of one already known
    /// (which keeps its join time and data slot).
    /// </summary>
    /// <returns>A <see cref="MembershipChangeKind.Joined"/> or <see cref="MembershipChangeKind.Updated"/> change.</returns>
    /// <exception cref="InvalidPeerRegistrationException">The registration is malformed.</exception>
    /// <exception cref="MembershipLimitException">The peer is new and the membership is full.</exception>
    MembershipChange Join(PeerRegistration registration);

    /// <summary>Marks the peer as alive; null when it is not a member (it should join again).</summary>
    PeerRecord? Heartbeat(string peerId, LearningStatus? status);

    /// <summary>Remembers the credential just issued to the peer, when it is still a member.</summary>
    void RecordCredential(string peerId, MembershipGrant grant);

    /// <summary>Removes the peer; false when it was not a member.</summary>
    bool Leave(string peerId);

    /// <summary>Drops and returns the members that have not been seen for longer than the peer timeout.</summary>
    IReadOnlyList<PeerRecord> DropSilentPeers();

    /// <summary>The membership now and every change after it, with no change missed or repeated in between.</summary>
    /// <exception cref="MembershipLimitException">Too many watches are open.</exception>
    PeerWatch Watch();
}

/// <summary>
/// One open watch. <see cref="Changes"/> ends with <see cref="WatchOverflowException"/> when the reader falls too far
/// behind; disposing ends the watch.
/// </summary>
public sealed class PeerWatch(IReadOnlyList<PeerRecord> snapshot, ChannelReader<MembershipChange> changes, Action unwatch) : IDisposable
{
    public IReadOnlyList<PeerRecord> Snapshot { get; } = snapshot;

    public ChannelReader<MembershipChange> Changes { get; } = changes;

    public void Dispose() => unwatch();
}
