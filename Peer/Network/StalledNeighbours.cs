using MlAspire.Peer.Telemetry;

namespace MlAspire.Peer.Network;

/// <summary>
/// Neighbours that let calls run into their deadline. Two misses within <see cref="MissWindow"/>, at least
/// <see cref="MissSpacing"/> apart, bench one — neither followed nor asked for blocks — for <see cref="FirstBench"/>,
/// doubled for each bench that follows within <see cref="LongestBench"/> of the last, up to it. A member that accepts
/// connections and never answers (a stalled process, a blackhole) then costs two missed calls per bench instead of a
/// stuck follower and a hedged ask per block for as long as the Bootstrap lists it.
/// </summary>
/// <remarks>
/// Answers do not clear misses: a member alternating quick answers with stalls would otherwise never be benched. Misses
/// closer together than the spacing count once: concurrent asks that all time out in one hiccup (or while this peer's
/// own link is saturated) are one miss, not many. When every neighbour is benched, this peer is more likely the one cut
/// off (a partition, its own network): then all are used, so it finds its way back as soon as any answers. The bench
/// stays short so that a healed partition is not waited out for long.
/// </remarks>
public sealed class StalledNeighbours
{
    public const int MissesToBench = 2;
    public static readonly TimeSpan MissSpacing = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MissWindow = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan FirstBench = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LongestBench = TimeSpan.FromMinutes(2);

    /// <summary>Records kept at most (one per neighbour that missed lately); past it, the quiet ones are forgotten.</summary>
    private const int MaxRecords = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Record> _records = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<StalledNeighbours> _logger;

    public StalledNeighbours(TimeProvider time, PeerMetrics metrics, ILogger<StalledNeighbours> logger)
    {
        _time = time;
        _logger = logger;
        metrics.ObserveBenchedNeighbours(() => Benched);
    }

    private readonly record struct Record(int Misses, DateTimeOffset LastMiss, int Benches, DateTimeOffset BenchedUntil);

    /// <summary>A call to <paramref name="peerId"/> ran into its deadline.</summary>
    public void Missed(string peerId)
    {
        TimeSpan? benched = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var record = _records.GetValueOrDefault(peerId);
            if (record.BenchedUntil > now || now - record.LastMiss < MissSpacing)
                return;
            record = record with { Misses = now - record.LastMiss > MissWindow ? 1 : record.Misses + 1, LastMiss = now };
            if (record.Misses >= MissesToBench)
            {
                var inARow = now - record.BenchedUntil <= LongestBench ? record.Benches : 0;
                benched = TimeSpan.FromTicks(Math.Min(LongestBench.Ticks, FirstBench.Ticks << Math.Min(inARow, 16)));
                record = new Record(0, now, inARow + 1, now + benched.Value);
            }
            if (_records.Count >= MaxRecords && !_records.ContainsKey(peerId))
                foreach (var quiet in _records.Where(r => now - r.Value.LastMiss > MissWindow && now - r.Value.BenchedUntil > LongestBench).Select(r => r.Key).ToList())
                    _records.Remove(quiet);
            _records[peerId] = record;
        }
        if (benched is { } period)
            _logger.LogInformation("Neighbour {Peer} missed {Misses} deadlines: not followed nor asked for blocks for {Period}", peerId, MissesToBench, period);
    }

    public bool IsBenched(string peerId)
    {
        lock (_lock)
            return _records.TryGetValue(peerId, out var record) && record.BenchedUntil > _time.GetUtcNow();
    }

    /// <summary>Neighbours benched now.</summary>
    public int Benched
    {
        get
        {
            lock (_lock)
                return _records.Values.Count(r => r.BenchedUntil > _time.GetUtcNow());
        }
    }

    /// <summary>Those of <paramref name="neighbours"/> not benched, or all of them when every one is.</summary>
    public IReadOnlyList<Neighbour> Answering(IReadOnlyList<Neighbour> neighbours)
    {
        var answering = neighbours.Where(n => !IsBenched(n.PeerId)).ToList();
        return answering.Count > 0 ? answering : neighbours;
    }
}
