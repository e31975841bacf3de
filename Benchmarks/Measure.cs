using System.Diagnostics;

namespace MlAspire.Benchmarks;

/// <summary>Median and 95th percentile of repeated timings, after a warm-up, so one noisy sample does not decide.</summary>
public readonly record struct Timing(double MedianMicroseconds, double P95Microseconds)
{
    public override string ToString() => $"median {Format(MedianMicroseconds)}, p95 {Format(P95Microseconds)}";

    private static string Format(double us) => us >= 1000 ? $"{us / 1000:F2} ms" : $"{us:F1} µs";
}

public static class Measure
{
    /// <summary>Times <paramref name="action"/> in batches of <paramref name="batch"/> calls; reports per call.</summary>
    public static Timing Time(Action action, int samples = 31, int batch = 1, int warmup = 3)
    {
        for (var i = 0; i < warmup * batch; i++)
            action();
        var times = new double[samples];
        for (var s = 0; s < samples; s++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < batch; i++)
                action();
            times[s] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / batch;
        }
        Array.Sort(times);
        return new Timing(times[samples / 2], times[(int)Math.Ceiling(samples * 0.95) - 1]);
    }
}
