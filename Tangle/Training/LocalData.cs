using System.Collections.Concurrent;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Training;

/// <summary>
/// A peer's private data, split into what it trains on and what it judges models by, with a memo of evaluations:
/// weights ids are content ids, so a model's local score never changes and is computed once while remembered. The memo
/// holds at most <see cref="MemoCapacity"/> scores and starts over past that, so a long run's memory stays flat.
/// </summary>
public sealed class LocalData(Dataset train, Dataset test)
{
    /// <summary>Scores remembered; far more than the transactions one training step looks at.</summary>
    public const int MemoCapacity = 4096;

    private readonly ConcurrentDictionary<string, Evaluation> _evaluations = new(StringComparer.Ordinal);
    private int _added;

    public Dataset Train { get; } = train.Count > 0 ? train : throw new ArgumentException("A peer needs training data.", nameof(train));

    public Dataset Test { get; } = test.Count > 0 ? test : throw new ArgumentException("A peer needs local test data.", nameof(test));

    public Evaluation Evaluate(string key, ModelWeights weights)
    {
        if (_evaluations.TryGetValue(key, out var known))
            return known;
        var evaluation = Models.Create(weights.Shape).Evaluate(weights.Values, Test);
        // Counted apart: ConcurrentDictionary.Count takes every lock. Racing threads may overshoot by a few; bounded all the same.
        if (Interlocked.Increment(ref _added) > MemoCapacity)
        {
            _evaluations.Clear();
            Interlocked.Exchange(ref _added, 1);
        }
        _evaluations.TryAdd(key, evaluation);
        return evaluation;
    }

    /// <summary>Scores remembered now (for tests).</summary>
    internal int Remembered => _evaluations.Count;
}
