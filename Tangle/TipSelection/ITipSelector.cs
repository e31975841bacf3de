using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>Chooses a tip of the tangle for a new transaction to approve.</summary>
public interface ITipSelector
{
    /// <summary>The sequence of one tip. Must not modify the graph, so that walks may run in parallel.</summary>
    int SelectTip(TangleGraph graph, Random random);
}
