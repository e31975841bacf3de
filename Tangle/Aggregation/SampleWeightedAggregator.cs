using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// FedAvg's weighting: each model counts by the samples that trained it, so a peer with more data pulls harder.
/// A model that claims no samples (genesis) counts as one.
/// </summary>
public sealed class SampleWeightedAggregator : IAggregator
{
    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models) =>
        ModelAveraging.Average(
            models.Select(m => m.Weights).ToList(),
            models.Select(m => (double)Math.Max(1, m.Transaction.Metrics.SampleCount)).ToList());
}
