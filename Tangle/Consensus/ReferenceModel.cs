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
    /// <summary>
    /// Ranks transactions by confidence × approved ancestors and averages the best <see cref="LearningParameters.ReferenceTopK"/>.
    /// With <see cref="LearningParameters.ReferenceCandidates"/> above that, the best-ranked candidates are screened on the
    /// peer's own test data first and the ones with the lowest loss are kept: a poisoned tip can rank high (it approves
    /// everything honest) but cannot pass for a good model on honest data.
    /// </summary>
    public static ReferenceModel Select(TangleGraph graph, IModelStore store, LocalData local, ITipSelector selector, LearningParameters parameters, Random random) =>
        Choose(graph, store, local, selector, parameters, random).Combine(parameters);

    /// <summary>As the other overload, ranking by tips already sampled (<see cref="LearningParameters.ReferenceSamples"/> of them, or any number).</summary>
    public static ReferenceModel Select(TangleGraph graph, IModelStore store, LocalData local, IReadOnlyList<int> sampledTips, LearningParameters parameters) =>
        Choose(graph, store, local, sampledTips, parameters).Combine(parameters);

    /// <summary>The part of <see cref="Select"/> that reads the tangle: which transactions, with their weights.</summary>
    public static ReferenceChoice Choose(TangleGraph graph, IModelStore store, LocalData local, ITipSelector selector, LearningParameters parameters, Random random) =>
        Choose(graph, store, local, new ReferenceSelector(selector, parameters.ReferenceSamples).SampleTips(graph, random), parameters);

    /// <summary>As the other overload, ranking by tips already sampled.</summary>
    public static ReferenceChoice Choose(TangleGraph graph, IModelStore store, LocalData local, IReadOnlyList<int> sampledTips, LearningParameters parameters)
    {
        var ranked = ReferenceSelector.Rank(graph, sampledTips, parameters.ReferenceCandidates)
            .Where(c => store.TryGet(graph[c.Sequence].WeightsId, out _)) // released weights cannot be served as the model
            .ToList();
        if (ranked.Count == 0) // the walks ended only where weights were released: fall back on what retention always keeps
            // The walk starts' own query, so the graph's one-entry cache of it stays warm.
            ranked = [.. graph.NewestPerPublisher(WalkStart.RecentPublishers, WalkStart.RecentWindow, WalkStart.MinimumPublishers)
                .Where(sequence => store.TryGet(graph[sequence].WeightsId, out _))
                .Take(parameters.ReferenceCandidates)
                .Select(sequence => new ReferenceCandidate(sequence, 0, graph.AncestorCountOf(sequence)))];
        if (ranked.Count == 0)
            throw new KeyNotFoundException("No reference candidate has its weights available here.");
        var chosen = ranked.Count <= parameters.ReferenceTopK
            ? ranked
            : ranked
                .OrderBy(c => local.Evaluate(graph[c.Sequence].WeightsId, store.Get(graph[c.Sequence].WeightsId)).Loss)
                .Take(parameters.ReferenceTopK)
                .OrderByDescending(c => c.Score)
                .ThenByDescending(c => c.Sequence)
                .ToList();
        chosen = LocalScreen.KeepComparable(chosen, c => local.Evaluate(graph[c.Sequence].WeightsId, store.Get(graph[c.Sequence].WeightsId)),
            local.Test.Count, parameters.ScreeningStandardErrors);
        return new ReferenceChoice(chosen, [.. chosen.Select(c => graph[c.Sequence]).Select(t => new PublishedModel(t, store.Get(t.WeightsId)))]);
    }
}

/// <summary>
/// The transactions chosen as the reference, with their weights: everything that needs the tangle. Averaging them
/// needs none, so a peer does it outside its replica's lock.
/// </summary>
public sealed record ReferenceChoice(IReadOnlyList<ReferenceCandidate> Candidates, IReadOnlyList<PublishedModel> Models)
{
    public ReferenceModel Combine(LearningParameters parameters)
    {
        var transactions = Models.Select(m => m.Transaction).ToList();
        return Models.Count == 1
            ? new ReferenceModel(Candidates, transactions, Models[0].Weights, transactions[0].WeightsId)
            : new ReferenceModel(Candidates, transactions, parameters.CreateAggregator().Aggregate(Models), string.Join('+', transactions.Select(t => t.WeightsId)));
    }
}
