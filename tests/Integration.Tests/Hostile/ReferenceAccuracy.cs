namespace MlAspire.Integration.Tests.Hostile;

/// <summary>Honest peers' reference accuracy over a window, as the attack tests compare it before and during an attack.</summary>
public static class ReferenceAccuracy
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(500);

    /// <summary>Each peer's mean reference accuracy over <paramref name="duration"/>.</summary>
    public static async Task<double[]> SampleAsync(RunningPeer[] peers, TimeSpan duration)
    {
        var samples = peers.Select(_ => new List<double>()).ToArray();
        var end = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < end)
        {
            for (var i = 0; i < peers.Length; i++)
                if (await peers[i].TryStatusAsync() is { } status && !double.IsNaN(status.ReferenceAccuracy))
                    samples[i].Add(status.ReferenceAccuracy);
            await Task.Delay(SampleEvery);
        }
        return samples.Select(s => s.Count == 0 ? double.NaN : s.Average()).ToArray();
    }

    public static string Describe(RunningPeer[] peers, double[] accuracy) =>
        string.Join(", ", peers.Select((p, i) => $"{p.Name} {accuracy[i]:P2}"));
}
