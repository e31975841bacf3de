using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>
/// A walk biased towards approvers whose models score well on this peer's own data, so branches grown by poisoned
/// updates are avoided, and so are starts in them (see <see cref="WalkStart"/>). The rating (accuracy in [0, 1]) comes from the caller, who caches evaluations per transaction.
/// </summary>
/// <param name="ratedApprovers">Approvers a step rates first (see <see cref="WeightedRandomWalk.Walk"/>).</param>
public sealed class AccuracyWeightedWalk(double alpha, WalkStart start, Func<int, double> accuracyOf, int ratedApprovers = WeightedRandomWalk.MaxRatedApprovers) : ITipSelector
{
    public double Alpha { get; } = alpha >= 0 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must not be negative.");

    public int SelectTip(TangleGraph graph, Random random) =>
        WeightedRandomWalk.Walk(graph, start.Choose(graph, random, Alpha, accuracyOf), Alpha, accuracyOf, random, ratedApprovers);
}
