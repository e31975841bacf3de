namespace MlAspire.Peer.Network;

/// <summary>
/// When to ask a second neighbour for a block: after the 75th percentile of the last 64 answers' latency, never sooner
/// than <see cref="Floor"/> nor later than <see cref="Ceiling"/>. A fixed delay shorter than a loaded machine's answers
/// asks two to four neighbours for every block, and each of them reads and sends the whole block: the load that made
/// answers slow grows. Only answers that won (hashed to their CID, first) are counted. A member answering slowly on
/// purpose loses to the hedge whenever anyone else holds the block, so only its own blocks' answers count: it would
/// need a quarter of what this peer fetches to move the percentile, and the ceiling bounds it even then.
/// </summary>
public sealed class AskLatency
{
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(1);
    private const int Window = 64;
    private const int RecomputeEvery = 8;
    private const double Percentile = 0.75;

    private readonly Lock _lock = new();
    private readonly double[] _recentMs = new double[Window];
    private int _next;
    private int _held;
    private int _sinceRecompute;
    private long _hedgeTicks = Floor.Ticks;

    /// <summary>How long to wait for an ask before asking one more neighbour.</summary>
    public TimeSpan HedgeDelay => TimeSpan.FromTicks(Interlocked.Read(ref _hedgeTicks));

    public void Answered(TimeSpan latency)
    {
        double[] window;
        lock (_lock)
        {
            _recentMs[_next] = latency.TotalMilliseconds;
            _next = (_next + 1) % Window;
            _held = Math.Min(_held + 1, Window);
            if (++_sinceRecompute < RecomputeEvery) return;
            _sinceRecompute = 0;
            window = _recentMs[.._held];
        }
        Array.Sort(window);
        var percentile = TimeSpan.FromMilliseconds(window[(int)Math.Ceiling(window.Length * Percentile) - 1]);
        Interlocked.Exchange(ref _hedgeTicks, Math.Clamp(percentile.Ticks, Floor.Ticks, Ceiling.Ticks));
    }
}
