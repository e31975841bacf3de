namespace MlAspire.Peer.Network;

/// <summary>
/// When to ask a second neighbour for a block: after the 95th percentile of recent answers' latency ("The Tail at Scale"),
/// never sooner than <see cref="Floor"/> nor later than <see cref="Ceiling"/>. A fixed delay shorter than a loaded
/// machine's answers asks two to four neighbours for every block, and each of them reads and sends the whole block: the
/// load that made answers slow doubles. Only answers that hashed to their CID are counted, and the ceiling bounds what a
/// neighbour answering slowly on purpose can do to the delay.
/// </summary>
public sealed class AskLatency
{
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(2);
    private const int Window = 64;
    private const int RecomputeEvery = 8;

    private readonly Lock _lock = new();
    private readonly double[] _recentMs = new double[Window];
    private int _recorded;
    private long _hedgeTicks = Floor.Ticks;

    /// <summary>How long to wait for an ask before asking one more neighbour.</summary>
    public TimeSpan HedgeDelay => TimeSpan.FromTicks(Interlocked.Read(ref _hedgeTicks));

    public void Answered(TimeSpan latency)
    {
        double[]? window = null;
        lock (_lock)
        {
            _recentMs[_recorded % Window] = latency.TotalMilliseconds;
            _recorded++;
            if (_recorded % RecomputeEvery == 0)
                window = _recentMs[..Math.Min(_recorded, Window)];
        }
        if (window is null) return;
        Array.Sort(window);
        var p95 = TimeSpan.FromMilliseconds(window[(int)Math.Ceiling(window.Length * 0.95) - 1]);
        Interlocked.Exchange(ref _hedgeTicks, Math.Clamp(p95.Ticks, Floor.Ticks, Ceiling.Ticks));
    }
}
