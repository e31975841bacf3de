using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>
/// The walk both weighted selectors share: from the start, step to an approver drawn with probability proportional
/// to <c>exp(alpha * (rating - max rating))</c> until a tip is reached. A loop, never recursion.
/// </summary>
internal static class WeightedRandomWalk
{
    public static int Walk(TangleGraph graph, int start, double alpha, Func<int, double> rating, Random random)
    {
        var current = start;
        var candidates = new List<int>(4);
        var ratings = new List<double>(4);
        while (true)
        {
            candidates.Clear();
            ratings.Clear();
            var best = double.NegativeInfinity;
            foreach (var approver in graph.ApproversOf(current))
            {
                var r = rating(approver);
                candidates.Add(approver);
                ratings.Add(r);
                best = Math.Max(best, r);
            }
            if (candidates.Count == 0)
                return current;
            if (candidates.Count == 1)
            {
                current = candidates[0];
                continue;
            }

            var total = 0.0;
            for (var i = 0; i < ratings.Count; i++)
                total += ratings[i] = Math.Exp(alpha * (ratings[i] - best));
            var draw = random.NextDouble() * total;
            var chosen = candidates.Count - 1;
            for (var i = 0; i < ratings.Count; i++)
            {
                draw -= ratings[i];
                if (draw < 0)
                {
                    chosen = i;
                    break;
                }
            }
            current = candidates[chosen];
        }
    }
}
