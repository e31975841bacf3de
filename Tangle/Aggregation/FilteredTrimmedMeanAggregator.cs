using System.Numerics.Tensors;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// The trimmed mean of the models that lie near the others: a model farther from the coordinate-wise median than
/// <c>cutoff</c> times the median distance (the upper median of the models' distances to it) is left out first, and
/// as many values as the trimmed mean of all the models would drop are still dropped from each end of the rest.
/// </summary>
/// <remarks>
/// A trimmed mean alone holds only while the extreme models are at most β of them per coordinate: 3 random models
/// among 8 with a quarter trimmed at each end leave one random value in the mean wherever all 3 fall on one side.
/// Under churn or uneven speeds one peer's recent tips hold more attackers than the network's share, so that happens.
/// The distance test leaves those out while they are fewer than half. It keeps the trimmed mean's bound: the limit is
/// scaled by the upper median of the distances (or a farther one when β is above a quarter), so more models are kept
/// than are trimmed from both ends, and with at most ⌊β·n⌋ attackers every parameter stays within the honest values.
/// (A lower median let attackers beside the median shrink the kept set to half, where trimming ⌊β·n⌋ at each end
/// left only their values.) Models honestly trained on other classes lie a few median distances away at most, so on
/// clean data nothing is usually left out and the result is the trimmed mean's.
/// The median comes from the same sort as the trimmed mean; only when a model is left out is a second one taken.
/// </remarks>
public sealed class FilteredTrimmedMeanAggregator : IAggregator
{
    public const double DefaultCutoff = 3;

    private readonly TrimmedMeanAggregator _trimmedMean;
    private readonly double _cutoff;

    /// <param name="beta">Share trimmed from each end, in [0, 0.5).</param>
    /// <param name="cutoff">How many median distances from the median a model may lie; above 1.</param>
    public FilteredTrimmedMeanAggregator(double beta = TrimmedMeanAggregator.DefaultBeta, double cutoff = DefaultCutoff)
    {
        _trimmedMean = new TrimmedMeanAggregator(beta);
        _cutoff = cutoff > 1 && double.IsFinite(cutoff) ? cutoff : throw new ArgumentException($"the cut-off is {cutoff}; it must be above 1");
    }

    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models) => Combine(models, withKeptRange: false).Combined[0];

    /// <summary>
    /// The aggregate, per parameter the lowest and highest values it keeps, and the models near the others it keeps
    /// them of: with at most ⌊β·n⌋ attackers both ends lie within the honest values.
    /// </summary>
    internal (ModelWeights Aggregate, ModelWeights Low, ModelWeights High, IReadOnlyList<PublishedModel> Near) AggregateWithKeptRange(IReadOnlyList<PublishedModel> models)
    {
        var (combined, near) = Combine(models, withKeptRange: true);
        return (combined[0], combined[1], combined[2], near);
    }

    /// <summary>The aggregate, then the kept range's ends when asked, from one sort of the models (two when some are far).</summary>
    private (ModelWeights[] Combined, IReadOnlyList<PublishedModel> Near) Combine(IReadOnlyList<PublishedModel> models, bool withKeptRange)
    {
        Coordinates.CommonShape(models); // refuses no models before ranks are chosen for them
        var n = models.Count;
        var trim = Math.Min(_trimmedMean.Trim(n), (n - 1) / 2);
        float[][] ranks = withKeptRange
            ? [_trimmedMean.RankWeights(n), MedianAggregator.RankWeights(n), OneRank(n, trim), OneRank(n, n - 1 - trim)]
            : [_trimmedMean.RankWeights(n), MedianAggregator.RankWeights(n)];
        var combined = Coordinates.CombineRanks(models, ranks);
        if (n < 3)
            return ([combined[0], .. combined[2..]], models); // no majority to measure against
        var near = Near(models, combined[1].Values);
        if (near.Count == n)
            return ([combined[0], .. combined[2..]], models);
        // The models left out leave the kept range too: trimmed as many as all of them would be, they might hold its ends.
        var m = near.Count;
        var nearTrim = Math.Min(trim, (m - 1) / 2);
        return (Coordinates.CombineRanks(near, withKeptRange
            ? [TrimmedMeanAggregator.RankWeights(m, trim), OneRank(m, nearTrim), OneRank(m, m - 1 - nearTrim)]
            : [TrimmedMeanAggregator.RankWeights(m, trim)]), near);
    }

    private static float[] OneRank(int count, int rank)
    {
        var weights = new float[count];
        weights[rank] = 1;
        return weights;
    }

    /// <summary>The models within the limit of <paramref name="median"/>, always more than half; all of them when that many coincide with it.</summary>
    private List<PublishedModel> Near(IReadOnlyList<PublishedModel> models, ReadOnlySpan<float> median)
    {
        var distances = new float[models.Count];
        for (var i = 0; i < models.Count; i++)
            distances[i] = TensorPrimitives.Distance(models[i].Weights.Values, median);
        // The upper median, or farther when more is trimmed, keeps more models than are trimmed from both ends.
        var limit = _cutoff * distances.Order().ElementAt(Math.Max(distances.Length / 2, 2 * _trimmedMean.Trim(distances.Length)));
        return limit > 0 ? [.. models.Where((_, i) => distances[i] <= limit)] : [.. models]; // no spread to scale the limit by
    }
}
