namespace MlAspire.Tangle.Data;

/// <summary>Small generated datasets for fast tests.</summary>
public static class SyntheticData
{
    /// <summary>
    /// One Gaussian blob per class: centres drawn from N(0, separation²) per feature, samples at centre + N(0, 1) noise.
    /// Larger <paramref name="separation"/> means cleaner, more linearly separable classes.
    /// Labels cycle 0, 1, …, classes − 1, so classes are balanced.
    /// </summary>
    public static Dataset GaussianBlobs(int samples, int features, int classes, double separation, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, byte.MaxValue + 1);
        if (!double.IsFinite(separation) || separation < 0)
            throw new ArgumentOutOfRangeException(nameof(separation), separation, "Separation must be finite and non-negative.");
        ArgumentNullException.ThrowIfNull(random);

        var centres = new double[classes * features];
        for (var i = 0; i < centres.Length; i++)
            centres[i] = separation * Sampling.NextGaussian(random);

        var values = new float[samples * features];
        var labels = new byte[samples];
        for (var s = 0; s < samples; s++)
        {
            var label = s % classes;
            labels[s] = (byte)label;
            for (var f = 0; f < features; f++)
                values[s * features + f] = (float)(centres[label * features + f] + Sampling.NextGaussian(random));
        }
        return new Dataset(values, labels, features, classes);
    }
}
