namespace MlAspire.Tangle.Learning;

/// <summary>How weights travel between peers: as stored (32-bit floats) or halved in size (16-bit floats).</summary>
public enum WeightPrecision { Float32, Float16 }

public static class WeightPrecisions
{
    /// <summary>
    /// The weights as a peer receives them: unchanged for <see cref="WeightPrecision.Float32"/>; for
    /// <see cref="WeightPrecision.Float16"/>, each rounded to the nearest half-precision value (11 significant bits),
    /// beyond ±65504 saturated rather than made infinite, so a large weight costs precision, never validity.
    /// </summary>
    public static ModelWeights Transported(this ModelWeights weights, WeightPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (precision == WeightPrecision.Float32)
            return weights;
        var values = weights.ToArray();
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)ToHalf(values[i]);
        return new ModelWeights(weights.Shape, values);
    }

    /// <summary>The nearest half-precision value, saturated at ±65504 rather than made infinite.</summary>
    public static Half ToHalf(float value) => (Half)Math.Clamp(value, (float)Half.MinValue, (float)Half.MaxValue);
}
