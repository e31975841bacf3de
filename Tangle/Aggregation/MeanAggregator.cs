using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>Plain average: every approved model counts the same.</summary>
public sealed class MeanAggregator : IAggregator
{
    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models) =>
        ModelAveraging.Average(models.Select(m => m.Weights).ToList());
}
