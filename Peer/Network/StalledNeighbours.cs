using MlAspire.Peer.Telemetry;

namespace MlAspire.Peer.Network;

/// <summary>
/// Neighbours that let calls run into their deadline. After <see cref="MissesToBench"/> misses in a row one is benched —
/// neither followed nor asked for blocks — for <see cref="FirstBench"/>, doubled with each bench in a row up to
/// <see cref="LongestBench"/>; any answer clears its record. A member that accepts connections and never answers (a
/// stalled process, a blackhole) then costs two missed calls per bench instead of a stuck follower and a hedged ask per
/// block for as long as the Bootstrap lists it.
/// </summary>
/// <remarks>
/// When every neighbour is benched, this peer is more likely the one cut off (a partition, its own network): then all
/// are used, so it finds its way back as soon as any answers. The bench stays short so that a healed partition is not
/// waited out for long.
/// </remarks>
public sealed class StalledNeighbours
{
    public const int MissesToBench = 2;
    public static readonly TimeSpan FirstBench = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LongestBench = TimeSpan.FromMinutes(2);

    /// <summary>Records kept at most (one per neighbour that missed lately); past it, those not benched are forgotten.</summary>
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

    private readonly record struct Record(int Misses, int Benches, DateTimeOffset BenchedUntil);

    /// <summary>A call to <paramref name="peerId"/> ran into its deadline.</summary>
    public void Missed(string peerId)
    {
        TimeSpan? benched = null;
        lock (_lock)
        {
            var record = _records.GetValueOrDefault(peerId);
            record = record with { Misses = record.Misses + 1 };
            if (record.Misses >= MissesToBench)
            {
                benched = TimeSpan.FromTicks(Math.Min(LongestBench.Ticks, FirstBench.Ticks << Math.Min(record.Benches, 16)));
                record = new Record(0, record.Benches + 1, _time.GetUtcNow() + benched.Value);
            }
            if (_records.Count >= MaxRecords && !_records.ContainsKey(peerId))
                foreach (var idle in _records.Where(r => r.Value.BenchedUntil <= _time.GetUtcNow()).Select(r => r.Key).ToList())
                    _records.Remove(idle);
            _records[peerId] = record;
        }
        if (benched is { } period)
            _logger.LogInformation("Neighbour {Peer} missed {Misses} deadlines in a row: not followed nor asked for blocks for {Period}", peerId, MissesToBench, period);
    }

    /// <summary><paramref name="peerId"/> answered a call: whatever it missed before is forgiven.</summary>
    public void Answered(string peerId)
    {
        lock (_lock)
            _records.Remove(peerId);
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
