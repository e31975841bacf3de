namespace MlAspire.Tangle;

/// <summary>Draws from the distributions the engine needs, always from a caller-supplied <see cref="Random"/>.</summary>
public static class Sampling
{
    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double NextGaussian(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u1 = 1.0 - random.NextDouble(); // in (0, 1], so the logarithm is finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Gamma(<paramref name="shape"/>, 1) draw.</summary>
    public static double NextGamma(double shape, Random random) => Math.Exp(NextLogGamma(shape, random));

    /// <summary>
    /// Fills <paramref name="destination"/> with a Dirichlet(α, …, α) draw: normalized Gamma(α) variates.
    /// Normalizing in log space keeps small α exact, where every Gamma variate can underflow to zero.
    /// </summary>
    public static void NextDirichlet(double alpha, Span<double> destination, Random random)
    {
        if (destination.IsEmpty) throw new ArgumentException("A Dirichlet draw needs at least one component.", nameof(destination));
        var max = double.NegativeInfinity;
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = NextLogGamma(alpha, random);
            max = Math.Max(max, destination[i]);
        }
        var sum = 0.0;
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = Math.Exp(destination[i] - max);
            sum += destination[i];
        }
        for (var i = 0; i < destination.Length; i++)
            destination[i] /= sum;
    }

    /// <summary>
    /// ln of a Gamma(shape, 1) draw by Marsaglia–Tsang (2000). For shape &lt; 1 it draws Gamma(shape + 1)
    /// and applies the boost X·U^(1/shape), added as ln U / shape so it cannot underflow.
    /// </summary>
    private static double NextLogGamma(double shape, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!double.IsFinite(shape) || shape <= 0)
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "Gamma shape must be positive and finite.");
        var boost = 0.0;
        if (shape < 1)
        {
            boost = Math.Log(1.0 - random.NextDouble()) / shape;
            shape += 1;
        }

        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian(random);
                v = 1.0 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = 1.0 - random.NextDouble();
            var x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2 || Math.Log(u) < 0.5 * x2 + d * (1.0 - v + Math.Log(v)))
                return Math.Log(d * v) + boost;
        }
    }

    /// <summary>An independent seed for a named sub-stream (round, role, peer), so parallel work stays deterministic.</summary>
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
