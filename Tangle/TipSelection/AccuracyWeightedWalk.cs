using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>
/// A walk biased towards approvers whose models score well on this peer's own data, so branches grown by poisoned
/// updates are avoided, and so are starts in them (see <see cref="WalkStart"/>). The rating (accuracy in [0, 1]) comes from the caller, who caches evaluations per transaction.
/// </summary>
/// <param name="ratedApprovers">Approvers a step rates first (see <see cref="WeightedRandomWalk.Walk"/>).</param>
public sealed class AccuracyWeightedWalk(double alpha, WalkStart start, Func<int, double> accuracyOf, int ratedApprovers = AccuracyWeightedWalk.AllKeptApprovers) : ITipSelector
{
    /// <summary>Rate every approver a step keeps (at most 16, one per publisher): the most careful setting, and the dearest.</summary>
    public const int AllKeptApprovers = WeightedRandomWalk.MaxRatedApprovers;

    public double Alpha { get; } = alpha >= 0 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must not be negative.");

    /// <remarks>
    /// The walk aims at the rating of the recent transaction its particle was found from: a step samples few approvers
    /// and rates them all only when the sample falls short of that (see <see cref="WeightedRandomWalk.Walk"/>). A walk
    /// from genesis (no particle depth) has no such aim and rates every approver it keeps.
    /// </remarks>
    public int SelectTip(TangleGraph graph, Random random)
    {
        var (origin, particle) = start.Choose(graph, random, Alpha, accuracyOf);
        var aim = start.ParticleDepth is null ? double.PositiveInfinity : accuracyOf(origin);
        return WeightedRandomWalk.Walk(graph, particle, Alpha, accuracyOf, random, ratedApprovers, aim);
    }
}
