using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>
/// The tangle's classic selector: a walk biased towards approvers with more cumulative weight. Small alpha is nearly
/// uniform (explores), large alpha follows the heaviest branch (converges).
/// </summary>
public sealed class CumulativeWeightWalk(double alpha, WalkStart start) : ITipSelector
{
    public double Alpha { get; } = alpha >= 0 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must not be negative.");

    public int SelectTip(TangleGraph graph, Random random) =>
        WeightedRandomWalk.Walk(graph, start.Choose(graph, random), Alpha, s => graph.CumulativeWeightOf(s), random);
}
