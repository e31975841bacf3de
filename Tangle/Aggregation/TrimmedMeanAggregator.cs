using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Coordinate-wise trimmed mean (Yin et al. 2018): for each parameter, the lowest and highest ⌊β·n⌋ values are dropped
/// and the rest averaged. Resists up to β of the models being extreme; with no value left to drop it is the mean.
/// </summary>
/// <param name="beta">Share trimmed from each end, in [0, 0.5).</param>
public sealed class TrimmedMeanAggregator : IAggregator
{
    public const double DefaultBeta = 0.2;

    private readonly double _beta;

    public TrimmedMeanAggregator(double beta = DefaultBeta)
    {
        if (beta is < 0 or >= 0.5)
            throw new ArgumentException($"the trimmed share is {beta}; it must be in [0, 0.5)");
        _beta = beta;
    }

    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models) => Coordinates.CombineRanks(models, RankWeights(models.Count));

    /// <summary>How many values are left out at each end of <paramref name="count"/>.</summary>
    internal int Trim(int count) => (int)Math.Floor(_beta * count);

    /// <summary>The middle ranks evenly, ⌊β·n⌋ left out at each end.</summary>
    internal float[] RankWeights(int count) => RankWeights(count, Trim(count));

    /// <summary>The middle ranks evenly, <paramref name="trim"/> left out at each end but at least one rank kept.</summary>
    internal static float[] RankWeights(int count, int trim)
    {
        trim = Math.Min(trim, (count - 1) / 2);
        var weights = new float[count];
        weights.AsSpan(trim, count - 2 * trim).Fill(1f / (count - 2 * trim));
        return weights;
    }
}
