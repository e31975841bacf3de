using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>
/// The walk both weighted selectors share: from the start, step to an approver drawn with probability proportional
/// to <c>exp(alpha * (rating - max rating))</c> until a tip is reached. A loop, never recursion.
/// </summary>
internal static class WeightedRandomWalk
{
    /// <summary>
    /// A step rates at most this many approvers, drawn uniformly when there are more. A transaction usually has a few
    /// approvers (about as many as a transaction has parents), but genesis has one per peer of the first round, and
    /// anyone may approve one transaction many times over: rating each (a model evaluation) must not cost without bound.
    /// </summary>
    public const int MaxRatedApprovers = 16;

    public static int Walk(TangleGraph graph, int start, double alpha, Func<int, double> rating, Random random)
    {
        var current = start;
        var candidates = new List<int>(4);
        while (true)
        {
            candidates.Clear();
            foreach (var approver in graph.ApproversOf(current))
                candidates.Add(approver);
            if (candidates.Count == 0)
                return current;
            if (candidates.Count > MaxRatedApprovers)
                KeepRandom(candidates, MaxRatedApprovers, random);
            current = candidates.Count == 1 ? candidates[0] : Draw(candidates, alpha, rating, random);
        }
    }

    /// <summary>Keeps <paramref name="count"/> of the items, each set of that size equally likely (a partial Fisher–Yates shuffle).</summary>
    private static void KeepRandom(List<int> items, int count, Random random)
    {
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, items.Count);
            (items[i], items[j]) = (items[j], items[i]);
        }
        items.RemoveRange(count, items.Count - count);
    }

    /// <summary>One of <paramref name="candidates"/>, drawn with probability proportional to <c>exp(alpha * (rating - max rating))</c>.</summary>
    public static int Draw(IReadOnlyList<int> candidates, double alpha, Func<int, double> rating, Random random)
    {
        Span<double> weights = candidates.Count <= 64 ? stackalloc double[candidates.Count] : new double[candidates.Count];
        var best = double.NegativeInfinity;
        for (var i = 0; i < candidates.Count; i++)
            best = Math.Max(best, weights[i] = rating(candidates[i]));
        var total = 0.0;
        for (var i = 0; i < weights.Length; i++)
            total += weights[i] = Math.Exp(alpha * (weights[i] - best));
        var draw = random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            draw -= weights[i];
            if (draw < 0)
                return candidates[i];
        }
        return candidates[^1];
    }
}
