namespace MlAspire.Peer.Hosting;

/// <summary>
/// Every <see cref="PeerOptions.HeapTrimInterval"/>, compacts the whole managed heap and hands what it frees back to the
/// system (<see cref="GCCollectionMode.Aggressive"/>). The collector's budgets assume one server per machine; a peer is
/// one of fifty on two cores and holds far less than it keeps committed: a peer of 16 held about 40 MB live (weights,
/// its data, history) in 70 MB committed, the rest free space between large objects (weights, 200 KB each) and unspent
/// budgets. A collection of that heap takes milliseconds; every 30 s rather than every minute took a peer of 50 from 121 to
/// 113 MB, and at 16 peers cost no measurable CPU (0.41 cores both ways; docs/benchmarks.md, ninth session). The first trim comes at a
/// random point of the first interval, so peers started together do not all collect at once.
/// </summary>
public sealed class HeapTrimmer : BackgroundService
{
    /// <summary>The shortest interval taken: a full compacting collection every few milliseconds would be all a peer did.</summary>
    public static readonly TimeSpan ShortestInterval = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Action _trim;
    private readonly ILogger<HeapTrimmer> _logger;

    public HeapTrimmer(IConfiguration configuration, TimeProvider time, ILogger<HeapTrimmer> logger)
        : this((configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions()).HeapTrimInterval, time, logger,
            () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true))
    {
    }

    internal HeapTrimmer(TimeSpan interval, TimeProvider time, ILogger<HeapTrimmer> logger, Action trim)
    {
        _interval = interval == TimeSpan.Zero || (interval >= ShortestInterval && interval <= TimeSpan.FromDays(1)) ? interval
            : throw new ArgumentOutOfRangeException(nameof(interval), interval, $"{PeerOptions.Section}:HeapTrimInterval must be 0 (never) or between {ShortestInterval} and one day.");
        (_time, _logger, _trim) = (time, logger, trim);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_interval == TimeSpan.Zero)
            return;
        await Task.Delay(_interval * Random.Shared.NextDouble(), _time, stoppingToken);
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            var started = _time.GetTimestamp();
            _trim();
            _logger.LogDebug("Heap trimmed in {Elapsed}", _time.GetElapsedTime(started));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
