using System.Numerics.Tensors;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Centered clipping (Karimireddy, He and Jaggi 2021) around the filtered trimmed mean: the difference from that centre
/// of each model the filter kept is bounded per parameter and then in length, and the mean of the bounded differences
/// is added to it.
/// </summary>
/// <remarks>
/// A trimmed mean drops a parameter's extreme values whoever holds them, so a class that one or two of the models
/// learned is dropped from every parameter it moves. Clipping keeps such a model's difference, only bounded:
/// <list type="bullet">
/// <item>per parameter, to <c>spreads</c> times the range of values the centre keeps, on either side of it. While the
/// attackers are at most ⌊β·n⌋ of the models that range lies within the honest values, so a model that puts its whole
/// length into a few parameters moves each by at most spreads ranges over the number kept. Beyond that share only the
/// length bound holds.</item>
/// <item>in length, to <c>radius</c> times the lower quartile of the lengths, so one model moves the result by at most
/// that over the number kept, an honest length while more than a quarter of the models are honest and the others
/// longer. With the median length instead, simulations under random weights (churn, uneven speeds: a peer's tips can
/// hold half or more attackers) fell to 39–60 % at times, where with the lower quartile they stayed above 72 %
/// (docs/experiments.md).</item>
/// </list>
/// Models the filter left out add nothing, as in the filtered trimmed mean. A length past float's range adds nothing,
/// and a result that is not finite falls back to the centre.
/// </remarks>
public sealed class CenteredClippingAggregator : IAggregator
{
    public const double DefaultRadius = 1;
    public const double DefaultSpreads = 3;

    private readonly FilteredTrimmedMeanAggregator _centre;
    private readonly float _radius;
    private readonly float _spreads;

    /// <param name="radius">How many lower-quartile lengths a model's difference may keep; above 0.</param>
    /// <param name="spreads">How many kept ranges a parameter's difference may keep; above 0.</param>
    public CenteredClippingAggregator(double radius = DefaultRadius, double spreads = DefaultSpreads,
        double beta = TrimmedMeanAggregator.DefaultBeta, double cutoff = FilteredTrimmedMeanAggregator.DefaultCutoff)
    {
        _radius = radius > 0 && double.IsFinite(radius) ? (float)radius : throw new ArgumentException($"the radius is {radius}; it must be above 0");
        _spreads = spreads > 0 && double.IsFinite(spreads) ? (float)spreads : throw new ArgumentException($"the spreads are {spreads}; they must be above 0");
        _centre = new FilteredTrimmedMeanAggregator(beta, cutoff);
    }

    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models)
    {
        // Only the models the filter kept add a difference: bounded, a third of far ×5 sign flips still pulled the
        // result their way at every step on real processes (docs/security.md).
        var (centre, low, high, kept) = _centre.AggregateWithKeptRange(models);
        if (models.Count < 3)
            return centre; // no majority to measure against
        var c = centre.Values;
        // The bounds per parameter: the centre ± spreads · (high − low).
        var lower = new float[c.Length];
        var upper = new float[c.Length];
        TensorPrimitives.Subtract(high.Values, low.Values, upper);
        TensorPrimitives.Multiply(upper, -_spreads, lower);
        TensorPrimitives.Add(lower, c, lower);
        TensorPrimitives.MultiplyAdd(upper, _spreads, c, upper);

        // Two passes over the models, each bounding a difference again, rather than n differences held at once.
        var difference = new float[c.Length];
        var lengths = new float[kept.Count];
        for (var i = 0; i < kept.Count; i++)
            lengths[i] = TensorPrimitives.Norm(Bounded(kept[i], lower, upper, c, difference));
        var limit = _radius * lengths.Order().ElementAt(lengths.Length / 4);
        if (!(limit > 0 && float.IsFinite(limit)))
            return centre; // nothing to add, or lengths past float's range (an attacker's)
        var result = centre.ToArray();
        for (var i = 0; i < kept.Count; i++)
            if (float.IsFinite(lengths[i])) // a model too long to measure adds nothing
                TensorPrimitives.MultiplyAdd(Bounded(kept[i], lower, upper, c, difference), Math.Min(1f, limit / lengths[i]) / kept.Count, result, result);
        var largest = TensorPrimitives.IndexOfMaxMagnitude(result); // the first NaN, if there is one
        return float.IsFinite(result[largest]) ? new ModelWeights(centre.Shape, result) : centre;
    }

    /// <summary>The model's difference from the centre, each parameter within its bounds, in <paramref name="difference"/>.</summary>
    private static float[] Bounded(PublishedModel model, float[] lower, float[] upper, ReadOnlySpan<float> centre, float[] difference)
    {
        TensorPrimitives.Max(model.Weights.Values, lower, difference);
        TensorPrimitives.Min(difference, upper, difference);
        TensorPrimitives.Subtract(difference, centre, difference);
        return difference;
    }
}
