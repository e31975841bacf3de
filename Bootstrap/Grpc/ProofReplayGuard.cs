using Microsoft.Extensions.Options;

namespace MlAspire.Bootstrap.Grpc;

/// <summary>
/// Replay protection for request proofs: the newest proof time accepted from each peer id, so that a proof is accepted
/// once and a recorded one cannot be played again (say, an old Leave after the peer joined again).
/// </summary>
/// <remarks>
/// A proof is in time only within the clock skew of now, so a remembered time matters only while a proof no newer than
/// it could still be in time: then it may be forgotten. Only members and joins are remembered (the service answers a
/// non-member's heartbeat or leave before checking its proof, and withdraws a join that enrolled nothing). At most
/// 2 × (MaxPeers + MaxObservers) ids are remembered: room for every member and as many recent departures. When that
/// many distinct ids proved themselves within the window, a new id is refused for a while rather than an old one
/// forgotten, which would reopen its replay window.
/// </remarks>
public sealed class ProofReplayGuard
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _newest = new(StringComparer.Ordinal);
    private readonly long _retentionMs;
    private readonly int _capacity;

    public ProofReplayGuard(IOptions<BootstrapOptions> options)
    {
        var settings = options.Value;
        _retentionMs = (long)settings.ClockSkew.TotalMilliseconds;
        _capacity = 2 * (settings.MaxPeers + settings.MaxObservers);
    }

    /// <summary>Accepts and remembers <paramref name="timeMs"/> when it is newer than every time accepted from <paramref name="peerId"/>.</summary>
    public ProofAcceptance TryAccept(string peerId, long timeMs, long nowMs)
    {
        lock (_lock)
        {
            if (_newest.TryGetValue(peerId, out var newest))
            {
                if (timeMs <= newest)
                    return ProofAcceptance.Replayed;
                _newest[peerId] = timeMs;
                return ProofAcceptance.Accepted;
            }
            if (_newest.Count >= _capacity)
                ForgetOlderThan(nowMs - _retentionMs);
            if (_newest.Count >= _capacity)
                return ProofAcceptance.TooManyCallers;
            _newest[peerId] = timeMs;
            return ProofAcceptance.Accepted;
        }
    }

    /// <summary>Forgets <paramref name="timeMs"/> for <paramref name="peerId"/> if it is still the newest remembered.</summary>
    public void Withdraw(string peerId, long timeMs)
    {
        lock (_lock)
            if (_newest.TryGetValue(peerId, out var newest) && newest == timeMs)
                _newest.Remove(peerId);
    }

    // Called under _lock, only when full: one pass per refused newcomer at most, over a bounded table.
    private void ForgetOlderThan(long thresholdMs)
    {
        foreach (var (peerId, newest) in _newest)
        {
            if (newest < thresholdMs)
                _newest.Remove(peerId);
        }
    }
}

public enum ProofAcceptance { Accepted, Replayed, TooManyCallers }
