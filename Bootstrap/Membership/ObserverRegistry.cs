using Microsoft.Extensions.Options;
using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Membership;

/// <summary>An observer as the bootstrap knows it; times are the bootstrap's clock.</summary>
/// <param name="Credential">The grant of the credential last issued to it; null until one is.</param>
public sealed record ObserverRecord(string PeerId, DateTimeOffset JoinedAt, DateTimeOffset LastSeen, MembershipGrant? Credential = null);

/// <summary>
/// The observers (the Visualization): members that read replicas but never publish. Kept apart from the peers, in a
/// set of their own bound (Bootstrap:MaxObservers), so they hold no data slot, never appear in ListPeers, WatchPeers
/// or Prometheus discovery, and cannot crowd peers out. They heartbeat like peers and are dropped after the same silence.
/// </summary>
public sealed class ObserverRegistry(IOptions<BootstrapOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ObserverRecord> _observers = new(StringComparer.Ordinal);

    public bool Contains(string peerId)
    {
        lock (_lock) return _observers.ContainsKey(peerId);
    }

    /// <summary>Registers an observer, or marks a known one as seen (it keeps its join time).</summary>
    /// <exception cref="MembershipLimitException">The observer is new and the set is full.</exception>
    public ObserverRecord Join(string peerId)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_observers.TryGetValue(peerId, out var known))
                return _observers[peerId] = known with { LastSeen = now };
            if (_observers.Count >= options.Value.MaxObservers)
                throw new MembershipLimitException($"The bootstrap is full: it already has {options.Value.MaxObservers} observers (Bootstrap:MaxObservers).");
            return _observers[peerId] = new ObserverRecord(peerId, now, now);
        }
    }

    /// <summary>Marks the observer as alive; null when it is not one (it should join again).</summary>
    public ObserverRecord? Heartbeat(string peerId)
    {
        lock (_lock)
        {
            if (!_observers.TryGetValue(peerId, out var known))
                return null;
            return _observers[peerId] = known with { LastSeen = time.GetUtcNow() };
        }
    }

    /// <summary>Remembers the credential just issued to the observer, when it is still one.</summary>
    public void RecordCredential(string peerId, MembershipGrant grant)
    {
        lock (_lock)
        {
            if (_observers.TryGetValue(peerId, out var known))
                _observers[peerId] = known with { Credential = grant };
        }
    }

    /// <summary>Removes the observer; false when it was not one.</summary>
    public bool Leave(string peerId)
    {
        lock (_lock) return _observers.Remove(peerId);
    }

    /// <summary>Drops and returns the observers not seen for longer than the peer timeout.</summary>
    public IReadOnlyList<ObserverRecord> DropSilent()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var silent = _observers.Values.Where(o => now - o.LastSeen >= options.Value.EffectivePeerTimeout).ToList();
            foreach (var observer in silent)
                _observers.Remove(observer.PeerId);
            return silent;
        }
    }
}
