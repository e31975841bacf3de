using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Coordinate-wise median (Yin et al. 2018): each parameter is the median of the models' values for it, so fewer than
/// half the models, however extreme, cannot move any parameter past the honest ones. Claimed sample counts play no part.
/// </summary>
public sealed class MedianAggregator : IAggregator
{
    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models) => Coordinates.CombineRanks(models, RankWeights(models.Count));

    /// <summary>The middle rank, or the two middle ranks halved.</summary>
    internal static float[] RankWeights(int count)
    {
        var weights = new float[count];
        var middle = count / 2;
        if (count % 2 == 1)
            weights[middle] = 1;
        else if (count > 0)
            weights[middle - 1] = weights[middle] = 0.5f;
        return weights;
    }
}
