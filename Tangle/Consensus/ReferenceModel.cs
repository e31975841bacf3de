using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.TipSelection;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Consensus;

/// <summary>"The model" a peer serves and reports: the best-ranked transaction, or the average of the top k.</summary>
/// <param name="Key">Identifies the weights (their id, or the ids averaged) for caching evaluations.</param>
public sealed record ReferenceModel(IReadOnlyList<ReferenceCandidate> Candidates, IReadOnlyList<Transaction> Transactions, ModelWeights Weights, string Key)
{
    public static ReferenceModel Select(TangleGraph graph, IModelStore store, ITipSelector selector, int samples, int topK, IAggregator aggregator, Random random)
    {
        var candidates = new ReferenceSelector(selector, samples).Rank(graph, random, topK);
        var transactions = candidates.Select(c => graph[c.Sequence]).ToList();
        if (transactions.Count == 1)
            return new ReferenceModel(candidates, transactions, store.Get(transactions[0].WeightsId), transactions[0].WeightsId);
        var weights = aggregator.Aggregate(transactions.Select(t => new PublishedModel(t, store.Get(t.WeightsId))).ToList());
        return new ReferenceModel(candidates, transactions, weights, string.Join('+', transactions.Select(t => t.WeightsId)));
    }
}
