namespace MlAspire.Peer.Engine;

/// <summary>
/// A token bucket: holds up to <paramref name="burst"/> tokens, refills at a given rate per millisecond of its clock,
/// and an event that finds no whole token is refused.
/// </summary>
internal sealed class TokenBucket(double burst, long nowMs)
{
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _last = nowMs;

    public long Last => _last;

    /// <summary>Takes a token at <paramref name="nowMs"/>; a time before the last one refills nothing.</summary>
    public bool TryTake(long nowMs, double perMillisecond)
    {
        if (nowMs > _last)
        {
            _tokens = Available(nowMs, perMillisecond);
            _last = nowMs;
        }
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    /// <summary>Whether a token would be there at <paramref name="nowMs"/>, taking nothing.</summary>
    public bool HasToken(long nowMs, double perMillisecond) => Available(nowMs, perMillisecond) >= 1;

    private double Available(long nowMs, double perMillisecond) =>
        nowMs > _last ? Math.Min(_burst, _tokens + (nowMs - _last) * perMillisecond) : _tokens;

    public void Refund() => _tokens = Math.Min(_burst, _tokens + 1);
}

/// <summary>
/// One token bucket per key (creator, or sender), created full on first use. Keys unused for longer than
/// <paramref name="forgetAfterMs"/> are dropped once there are more than <paramref name="maxKeys"/>, so memory stays bounded.
/// </summary>
internal sealed class KeyedRateLimiter(double burst, Func<double> perMillisecond, int maxKeys = 10_000, long forgetAfterMs = 3_600_000)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    public bool TryTake(string key, long atMs)
    {
        lock (_lock)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                if (_buckets.Count >= maxKeys)
                    foreach (var (stale, _) in _buckets.Where(b => atMs - b.Value.Last > forgetAfterMs).ToList())
                        _buckets.Remove(stale);
                _buckets[key] = bucket = new TokenBucket(burst, atMs);
            }
            return bucket.TryTake(atMs, perMillisecond());
        }
    }

    /// <summary>Whether <see cref="TryTake"/> would succeed now; a key never seen has a full bucket.</summary>
    public bool HasToken(string key, long atMs)
    {
        lock (_lock)
            return !_buckets.TryGetValue(key, out var bucket) || bucket.HasToken(atMs, perMillisecond());
    }

    /// <summary>Gives back a token taken for an event that turned out not to count (a duplicate another thread inserted first).</summary>
    public void Refund(string key)
    {
        lock (_lock)
            if (_buckets.TryGetValue(key, out var bucket))
                bucket.Refund();
    }
}

/// <summary>
/// The publishing rates a peer enforces, derived from the training interval the Bootstrap publishes: a member trains at
/// most once per interval, so it may publish <see cref="Slack"/> times that rate with a burst of <see cref="CreatorBurst"/>.
/// </summary>
/// <remarks>
/// A creator is judged by the created_at it signed, not by when its transactions happen to arrive: a late joiner
/// catching up on an hour of honest history sees an hour of evenly spaced timestamps and admits all of it, while a
/// flood needs timestamps packed tighter than the rate, and timestamps going backwards refill nothing. Senders (a
/// neighbour's watch stream, an IPFS node on pubsub) are judged by arrival time: one may relay the whole network's
/// transactions, so its share is the network's rate (members × the creator rate).
/// </remarks>
public sealed class RateLimits
{
    public const double Slack = 2;
    public const int CreatorBurst = 16;
    public const int SenderBurst = 64;

    private readonly KeyedRateLimiter _creators;
    private readonly KeyedRateLimiter _senders;

    /// <param name="members">How many members publish now (this peer's neighbours and itself).</param>
    public RateLimits(TimeSpan trainingInterval, Func<int> members)
    {
        var creatorPerMs = Slack / Math.Max(1, trainingInterval.TotalMilliseconds);
        _creators = new KeyedRateLimiter(CreatorBurst, () => creatorPerMs);
        _senders = new KeyedRateLimiter(SenderBurst, () => creatorPerMs * Math.Max(1, members()));
    }

    /// <summary>Admits one transaction of <paramref name="creator"/> created at <paramref name="createdAtMs"/>.</summary>
    public bool AdmitCreator(string creator, long createdAtMs) => _creators.TryTake(creator, createdAtMs);

    /// <summary>Whether <see cref="AdmitCreator"/> would admit now (checked before anything is fetched for it).</summary>
    public bool CreatorHasRoom(string creator, long createdAtMs) => _creators.HasToken(creator, createdAtMs);

    /// <summary>Takes back an admission whose transaction another ingestion inserted first.</summary>
    public void RefundCreator(string creator) => _creators.Refund(creator);

    /// <summary>Admits one message (not already known) from <paramref name="sender"/>, arriving at <paramref name="nowMs"/>.</summary>
    public bool AdmitSender(string sender, long nowMs) => _senders.TryTake(sender, nowMs);
}
