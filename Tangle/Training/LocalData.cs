using System.Collections.Concurrent;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Training;

/// <summary>
/// A peer's private data, split into what it trains on and what it judges models by, with a memo of evaluations:
/// weights ids are content ids, so a model's local score never changes and is computed once.
/// </summary>
public sealed class LocalData(Dataset train, Dataset test)
{
    private readonly ConcurrentDictionary<string, Evaluation> _evaluations = new(StringComparer.Ordinal);

    public Dataset Train { get; } = train.Count > 0 ? train : throw new ArgumentException("A peer needs training data.", nameof(train));

    public Dataset Test { get; } = test.Count > 0 ? test : throw new ArgumentException("A peer needs local test data.", nameof(test));

    public Evaluation Evaluate(string key, ModelWeights weights) =>
        _evaluations.GetOrAdd(key, static (_, state) => Models.Create(state.Weights.Shape).Evaluate(state.Weights.Values, state.Test), (Weights: weights, Test));
}
