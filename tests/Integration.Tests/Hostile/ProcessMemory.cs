using System.Globalization;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>A process's resident memory now (VmRSS) and its peak since it started (VmHWM), from /proc/PID/status.</summary>
public readonly record struct MemoryReading(long ResidentBytes, long PeakResidentBytes)
{
    public static long Megabytes(long bytes) => bytes / (1024 * 1024);

    public override string ToString() => $"RSS {Megabytes(ResidentBytes)} MB (peak {Megabytes(PeakResidentBytes)} MB)";
}

public static class ProcessMemory
{
    /// <summary>Null once the process is gone.</summary>
    public static MemoryReading? Read(int processId)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{processId}/status");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
        long? rss = null, peak = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line);
        }
        // A zombie has no memory lines left.
        return rss is { } r && peak is { } p ? new MemoryReading(r * 1024, p * 1024) : null;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>
/// Samples a process's memory in the background and keeps the highest peak seen, so that the peak of a process that
/// was then killed (by the OOM killer, or by stopping itself) is still known.
/// </summary>
public sealed class MemoryWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    public MemoryWatch(int processId, TimeSpan? interval = null)
    {
        _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (ProcessMemory.Read(processId) is { } reading)
                    Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), reading.PeakResidentBytes));
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100), _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    public long PeakBytes => Interlocked.Read(ref _peak);

    public long PeakMegabytes => MemoryReading.Megabytes(PeakBytes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
