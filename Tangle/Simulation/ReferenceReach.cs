using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.Simulation;

/// <summary>
/// How many peers' recent updates a reference model contains: the distinct publishers of the transactions in its past
/// cone created within the last <see cref="Window"/> rounds. FedAvg's global model contains every active peer's update
/// of the round; a tangle reference only what its transactions' ancestors carried, which is why it learns slower.
/// </summary>
public static class ReferenceReach
{
    /// <summary>Rounds looked back.</summary>
    public const int Window = 5;

    /// <remarks>Walks parents only while they are in the window, so its cost is the window's transactions, not the tangle's.</remarks>
    public static int Contributors(TangleGraph graph, ReferenceModel reference, int round, IReadOnlySet<string> counted)
    {
        var oldest = round - Window + 1;
        var publishers = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<int>();
        var pending = new Stack<int>();
        foreach (var chosen in reference.Candidates) // the transactions averaged into the reference
            pending.Push(chosen.Sequence);
        while (pending.Count > 0)
        {
            var sequence = pending.Pop();
            var transaction = graph[sequence];
            if (!seen.Add(sequence) || transaction.CreatedAt < oldest)
                continue;
            if (counted.Contains(transaction.Publisher))
                publishers.Add(transaction.Publisher);
            foreach (var parent in graph.ParentsOf(sequence))
                pending.Push(parent);
        }
        return publishers.Count;
    }
}
