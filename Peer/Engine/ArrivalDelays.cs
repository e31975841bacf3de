using System.Buffers;

namespace MlAspire.Peer.Engine;

/// <summary>
/// How far behind the network this peer's intake runs, measured the way LEDBAT measures a path (RFC 6817): an
/// arrival's age (this peer's clock when it is inserted, less the creation time its creator signed) minus the smallest
/// age seen from that creator over the last 5 to 10 minutes. A constant offset between the two clocks cancels; what is
/// left is the time the transaction waited on its way here, mostly in this peer's own backlog.
/// <list type="bullet">
/// <item>Each creator has one vote, its latest arrival's wait, and the reading is the lower median of the creators heard
/// from in the last minute: to make a peer read as behind, creators that backdate what they publish must be more than
/// half of those it hears, however fast they publish.</item>
/// <item>A creator can make its own transactions read late, by backdating them or by dating one ahead to lower its
/// base; either way it is one vote.</item>
/// <item>This peer's time is monotonic (its wall clock read once, then the timestamp): a step of its own clock does
/// not read as a backlog.</item>
/// </list>
/// </summary>
/// <remarks>Thread-safe: ingestions record concurrently while the training loop reads.</remarks>
public sealed class ArrivalDelays
{
    /// <summary>Fewer creators than this heard from within <see cref="Freshness"/> tell nothing: the peer is not counted behind.</summary>
    public const int MinCreators = 4;

    /// <summary>A creator's latest wait counts this long: a quiet tangle is not a backlog.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);

    /// <summary>A creator's smallest age is kept for this long, and the one before it: a drifting clock is followed within two.</summary>
    public static readonly TimeSpan BasePeriod = TimeSpan.FromMinutes(5);

    /// <summary>Creators remembered at once; past it, those not heard from in two periods are forgotten, or else all of them.</summary>
    public const int MaxCreators = 4096;

    private readonly TimeProvider _time;
    private readonly long _wallAtStart;
    private readonly long _startTimestamp;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Creator> _creators = new(StringComparer.Ordinal);

    public ArrivalDelays(TimeProvider time)
    {
        _time = time;
        _wallAtStart = time.GetUtcNow().ToUnixTimeMilliseconds();
        _startTimestamp = time.GetTimestamp();
    }

    /// <param name="Period">The base period of <paramref name="Current"/>.</param>
    /// <param name="Current">The smallest age in that period (ms; below zero for a clock ahead of this peer's).</param>
    /// <param name="Previous">The smallest age in the period before it.</param>
    /// <param name="Delay">The latest arrival's wait (ms).</param>
    /// <param name="SeenAt">When it was inserted (this peer's monotonic ms).</param>
    private readonly record struct Creator(long Period, long Current, long Previous, long Delay, long SeenAt);

    private long NowMs => _wallAtStart + (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    /// <summary>A transaction from <paramref name="creator"/>, created at <paramref name="createdAtMs"/>, was just inserted from a live path or catch-up.</summary>
    public void Arrived(string creator, long createdAtMs)
    {
        var now = NowMs;
        var age = now - createdAtMs;
        var period = now / (long)BasePeriod.TotalMilliseconds;
        lock (_lock)
        {
            if (!_creators.TryGetValue(creator, out var known))
            {
                if (_creators.Count >= MaxCreators)
                    Forget(period);
                known = new Creator(period, long.MaxValue, long.MaxValue, 0, now);
            }
            var (current, previous) = (period - known.Period) switch
            {
                0 => (known.Current, known.Previous),
                1 => (long.MaxValue, known.Current),
                _ => (long.MaxValue, long.MaxValue),
            };
            current = Math.Min(current, age);
            _creators[creator] = new Creator(period, current, previous, age - Math.Min(current, previous), now);
        }
    }

    /// <summary>The lower median of the creators' latest waits within <see cref="Freshness"/>; null when too few were heard from.</summary>
    public TimeSpan? Median()
    {
        var since = NowMs - (long)Freshness.TotalMilliseconds;
        long[] waits;
        var n = 0;
        lock (_lock)
        {
            waits = ArrayPool<long>.Shared.Rent(Math.Max(1, _creators.Count));
            foreach (var creator in _creators.Values)
                if (creator.SeenAt >= since)
                    waits[n++] = creator.Delay;
        }
        try
        {
            if (n < MinCreators)
                return null;
            Array.Sort(waits, 0, n);
            return TimeSpan.FromMilliseconds(waits[(n - 1) / 2]);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(waits);
        }
    }

    /// <summary>Drops the creators whose bases have both lapsed (not heard from in two periods); all of them when none has.</summary>
    private void Forget(long period)
    {
        foreach (var (id, creator) in _creators)
            if (period - creator.Period >= 2)
                _creators.Remove(id);
        if (_creators.Count >= MaxCreators)
            _creators.Clear();
    }
}
