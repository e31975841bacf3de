using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Membership;

/// <summary>
/// The membership in memory. Changes are serialized by one lock, which also orders them into every watcher's
/// bounded channel; reads take the current immutable snapshot without locking. A watcher whose channel is full is
/// dropped instead of waited for, so a slow or stuck reader never delays joins or other watchers.
/// </summary>
public sealed class MembershipRegistry : IMembershipRegistry
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _peerTimeout;
    private readonly int _maxPeers;
    private readonly int _maxWatchers;
    private readonly int _watchBufferSize;
    private readonly int _dataSlots;
    private readonly MembershipMetrics _metrics;

    // Replaced under _lock, read without it.
    private volatile ImmutableSortedDictionary<string, PeerRecord> _peers = ImmutableSortedDictionary.Create<string, PeerRecord>(StringComparer.Ordinal);

    // Guarded by _lock.
    private readonly HashSet<ChannelWriter<MembershipChange>> _watchers = [];

    public MembershipRegistry(IOptions<BootstrapOptions> options, TimeProvider time, IMeterFactory meterFactory)
    {
        var settings = options.Value;
        _time = time;
        _peerTimeout = settings.EffectivePeerTimeout;
        _maxPeers = settings.MaxPeers;
        _maxWatchers = settings.MaxWatchers;
        _watchBufferSize = settings.WatchBufferSize;
        _dataSlots = settings.Data.Slots;
        _metrics = new MembershipMetrics(meterFactory, () => _peers.Count);
    }

    public IReadOnlyList<PeerRecord> Peers => [.. _peers.Values];

    public bool Contains(string peerId) => _peers.ContainsKey(peerId);

    public MembershipChange Join(PeerRegistration registration)
    {
        registration.Validate();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_peers.TryGetValue(registration.PeerId, out var known))
            {
                var updated = new MembershipChange(MembershipChangeKind.Updated, known with { Registration = registration, LastSeen = now });
                _peers = _peers.SetItem(registration.PeerId, updated.Peer);
                Publish(updated);
                return updated;
            }
            if (_peers.Count >= _maxPeers)
                throw new MembershipLimitException($"The bootstrap is full: it already has {_maxPeers} peers (Bootstrap:MaxPeers).");
            var joined = new MembershipChange(MembershipChangeKind.Joined, new PeerRecord(registration, LeastHeldDataSlot(), now, now, Status: null));
            _peers = _peers.Add(registration.PeerId, joined.Peer);
            _metrics.Joined();
            Publish(joined);
            return joined;
        }
    }

    public PeerRecord? Heartbeat(string peerId, LearningStatus? status)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var known))
                return null;
            var seen = known with { LastSeen = _time.GetUtcNow(), Status = status ?? known.Status };
            _peers = _peers.SetItem(peerId, seen);
            return seen;
        }
    }

    public void RecordCredential(string peerId, MembershipGrant grant)
    {
        lock (_lock)
        {
            // Not a membership change watchers see: credentials are not part of PeerInfo.
            if (_peers.TryGetValue(peerId, out var known))
                _peers = _peers.SetItem(peerId, known with { Credential = grant });
        }
    }

    public bool Leave(string peerId)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var known))
                return false;
            _peers = _peers.Remove(peerId);
            _metrics.Left();
            Publish(new MembershipChange(MembershipChangeKind.Left, known));
            return true;
        }
    }

    public IReadOnlyList<PeerRecord> DropSilentPeers()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var silent = _peers.Values.Where(p => now - p.LastSeen >= _peerTimeout).ToList();
            foreach (var peer in silent)
            {
                _peers = _peers.Remove(peer.PeerId);
                _metrics.Dropped();
                Publish(new MembershipChange(MembershipChangeKind.Dropped, peer));
            }
            return silent;
        }
    }

    public PeerWatch Watch()
    {
        lock (_lock)
        {
            if (_watchers.Count >= _maxWatchers)
                throw new MembershipLimitException($"Too many watches: {_maxWatchers} are open (Bootstrap:MaxWatchers).");
            var channel = Channel.CreateBounded<MembershipChange>(new BoundedChannelOptions(_watchBufferSize) { SingleReader = true, SingleWriter = true });
            _watchers.Add(channel.Writer);
            return new PeerWatch([.. _peers.Values], channel.Reader, () => Unwatch(channel.Writer));
        }
    }

    private void Unwatch(ChannelWriter<MembershipChange> writer)
    {
        lock (_lock)
        {
            _watchers.Remove(writer);
            writer.TryComplete();
        }
    }

    // Called under _lock. Distinct slots while there are enough, an even spread after; lowest first.
    private int LeastHeldDataSlot()
    {
        var holders = new int[_dataSlots];
        foreach (var peer in _peers.Values)
            holders[peer.DataSlot]++;
        return Array.IndexOf(holders, holders.Min());
    }

    // Called under _lock, which is what makes each channel single-writer and every watcher see the same order.
    private void Publish(MembershipChange change)
    {
        List<ChannelWriter<MembershipChange>>? overflowed = null;
        foreach (var writer in _watchers)
        {
            if (!writer.TryWrite(change))
                (overflowed ??= []).Add(writer);
        }
        foreach (var writer in overflowed ?? [])
        {
            _watchers.Remove(writer);
            writer.TryComplete(new WatchOverflowException(_watchBufferSize));
        }
    }
}
