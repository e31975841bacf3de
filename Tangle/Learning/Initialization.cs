namespace MlAspire.Tangle.Learning;

internal static class Initialization
{
    /// <summary>Fills <paramref name="destination"/> with draws from U(−limit, limit).</summary>
    public static void FillUniform(Span<float> destination, double limit, Random random)
    {
        for (var i = 0; i < destination.Length; i++)
            destination[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    }
}
