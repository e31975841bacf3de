namespace MlAspire.Tangle;

public static class RandomExtensions
{
    /// <summary>A standard normal draw (Box–Muller), deterministic for a seeded <see cref="Random"/>.</summary>
    public static double NextGaussian(this Random random)
    {
        var u1 = 1.0 - random.NextDouble(); // (0, 1]: keeps the logarithm finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>An independent seed for a named sub-stream (peer, round), so parallel work stays deterministic.</summary>
    public static int DeriveSeed(int seed, params ReadOnlySpan<int> path)
    {
        var hash = (uint)seed ^ 0x9E3779B9u;
        foreach (var part in path)
        {
            hash ^= (uint)part + 0x9E3779B9u + (hash << 6) + (hash >> 2);
            hash *= 0x85EBCA6Bu;
            hash ^= hash >> 13;
        }
        return (int)(hash & 0x7FFFFFFF);
    }
}
