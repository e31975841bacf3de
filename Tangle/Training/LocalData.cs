using System.Collections.Concurrent;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Training;

/// <summary>
/// A peer's private data, split into what it trains on and what it judges models by, with a memo of evaluations:
/// weights ids are content ids, so a model's local score never changes and is computed once while remembered. The memo
/// holds at most <see cref="MemoCapacity"/> scores in two generations: when the newer fills, the older is dropped, and
/// a score found in the older is carried into the newer. So a long run's memory stays flat, and the scores walks keep
/// meeting survive (dropping everything at once cost a peer of a thousand a whole round of evaluations again).
/// </summary>
public sealed class LocalData(Dataset train, Dataset test)
{
    /// <summary>Scores remembered at most; far more than the transactions one training step looks at.</summary>
    public const int MemoCapacity = 4096;

    private Generation _newer = new(), _older = new();

    public Dataset Train { get; } = train.Count > 0 ? train : throw new ArgumentException("A peer needs training data.", nameof(train));

    public Dataset Test { get; } = test.Count > 0 ? test : throw new ArgumentException("A peer needs local test data.", nameof(test));

    public Evaluation Evaluate(string key, ModelWeights weights)
    {
        if (TryRecall(key, out var known))
            return known;
        known = Models.Create(weights.Shape).Evaluate(weights.Values, Test);
        Remember(Volatile.Read(ref _newer), key, known);
        return known;
    }

    /// <summary>The evaluation of <paramref name="key"/>, if it is still remembered; nothing is evaluated.</summary>
    /// <remarks>A score found in the older generation is carried into the newer, as one evaluated again would be: walks keep meeting it.</remarks>
    public bool TryRecall(string key, out Evaluation evaluation)
    {
        var newer = Volatile.Read(ref _newer);
        if (newer.Scores.TryGetValue(key, out evaluation))
            return true;
        if (!Volatile.Read(ref _older).Scores.TryGetValue(key, out evaluation))
            return false;
        Remember(newer, key, evaluation);
        return true;
    }

    private void Remember(Generation newer, string key, Evaluation evaluation)
    {
        // Counted apart: ConcurrentDictionary.Count takes every lock. Only the thread that fills the generation turns
        // it over; one racing past it adds to what just became the older, a few more at most.
        if (newer.Scores.TryAdd(key, evaluation) && Interlocked.Increment(ref newer.Count) == MemoCapacity / 2)
        {
            Volatile.Write(ref _older, newer);
            Volatile.Write(ref _newer, new Generation());
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<string, Evaluation> Scores = new(StringComparer.Ordinal);
        public int Count;
    }

    /// <summary>Scores remembered now (for tests).</summary>
    internal int Remembered => _newer.Scores.Count + _older.Scores.Count;
}
