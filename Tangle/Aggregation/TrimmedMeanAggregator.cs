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

    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models)
    {
        var trim = (int)Math.Floor(_beta * models.Count);
        return Coordinates.Reduce(models, column =>
        {
            column.Sort();
            var kept = column[trim..^trim];
            var sum = 0.0;
            foreach (var value in kept)
                sum += value;
            return (float)(sum / kept.Length);
        });
    }
}
