using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Coordinate-wise median (Yin et al. 2018): each parameter is the median of the models' values for it, so fewer than
/// half the models, however extreme, cannot move any parameter past the honest ones. Claimed sample counts play no part.
/// </summary>
public sealed class MedianAggregator : IAggregator
{
    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models) =>
        Coordinates.Reduce(models, column =>
        {
            column.Sort();
            var middle = column.Length / 2;
            return column.Length % 2 == 1 ? column[middle] : (column[middle - 1] + column[middle]) / 2;
        });
}
