using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>A model some transaction published, with the transaction that vouches for it.</summary>
public sealed record PublishedModel(Transaction Transaction, ModelWeights Weights);

/// <summary>Combines the approved transactions' models into the starting point of local training.</summary>
public interface IAggregator
{
    ModelWeights Aggregate(IReadOnlyList<PublishedModel> models);
}
