using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>
/// The walk both weighted selectors share: from the start, step to an approver drawn with probability proportional
/// to <c>exp(alpha * (rating - max rating))</c> until a tip is reached. A loop, never recursion.
/// </summary>
internal static class WeightedRandomWalk
{
    /// <summary>
    /// A step rates at most this many approvers when there are more: one each of as many publishers, drawn at random.
    /// A transaction usually has a few approvers (about as many as a transaction has parents), but genesis has one per
    /// peer of the first round, and anyone may approve one transaction many times over: rating each (a model evaluation
    /// unless remembered) must not cost without bound, and a flooder's approvers must not crowd out the honest ones
    /// (one per publisher, as walk starts are).
    /// </summary>
    public const int MaxRatedApprovers = 16;

    /// <param name="sampled">
    /// Approvers rated first, of the up to <see cref="MaxRatedApprovers"/> kept. When none of them comes within 1/alpha
    /// (the rating gap the walk's weights turn into a factor of e) of <paramref name="aim"/> or of the transaction the
    /// walk stands on, whichever rates higher, the step rates all kept: identities crowding a transaction's approvers
    /// with junk cannot hide its honest approvers from a walk that samples few. The aim is what an attacker cannot
    /// lower: where the walk stands may be genesis or junk itself, and then junk passes for as good.
    /// </param>
    /// <param name="aim">A rating the walk expects to reach; +∞ (no aim) rates all kept approvers at every step.</param>
    public static int Walk(TangleGraph graph, int start, double alpha, Func<int, double> rating, Random random,
        int sampled = MaxRatedApprovers, double aim = double.PositiveInfinity)
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
            if (candidates.Count > sampled)
            {
                KeepOnePerPublisher(graph, candidates, MaxRatedApprovers, random);
                // A uniform walk (alpha 0) does not look at ratings: its sample is as good as all.
                if (candidates.Count > sampled && (alpha == 0 || (!double.IsPositiveInfinity(aim)
                        && AnyAtLeast(candidates, sampled, Math.Max(aim, rating(current)) - 1 / alpha, rating))))
                    candidates.RemoveRange(sampled, candidates.Count - sampled);
            }
            current = candidates.Count == 1 ? candidates[0] : Draw(candidates, alpha, rating, random);
        }
    }

    /// <summary>Whether one of the first <paramref name="count"/> candidates rates at least <paramref name="floor"/>.</summary>
    private static bool AnyAtLeast(List<int> candidates, int count, double floor, Func<int, double> rating)
    {
        for (var i = 0; i < count; i++)
            if (rating(candidates[i]) >= floor)
                return true;
        return false;
    }

    /// <summary>Keeps one approver each of at most <paramref name="count"/> publishers, in random order (a partial Fisher–Yates shuffle).</summary>
    private static void KeepOnePerPublisher(TangleGraph graph, List<int> approvers, int count, Random random)
    {
        var publishers = new HashSet<string>(StringComparer.Ordinal);
        var kept = 0;
        for (var i = 0; i < approvers.Count && kept < count; i++)
        {
            var j = random.Next(i, approvers.Count);
            (approvers[i], approvers[j]) = (approvers[j], approvers[i]);
            if (publishers.Add(graph[approvers[i]].Publisher))
                approvers[kept++] = approvers[i];
        }
        approvers.RemoveRange(kept, approvers.Count - kept);
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
