using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>The baseline: any tip, uniformly.</summary>
public sealed class UniformRandomTips : ITipSelector
{
    public int SelectTip(TangleGraph graph, Random random) => graph.Tips[random.Next(graph.Tips.Count)];
}
