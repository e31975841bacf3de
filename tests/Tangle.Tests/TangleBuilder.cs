using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.Tests;

/// <summary>Builds tangles for tests: ids are "g", "t1", "t2", … in insertion order.</summary>
internal static class TangleBuilder
{
    public static Transaction Tx(string id, params string[] parents) =>
        new(id, parents, $"w-{id}", "peer", 0, new TransactionMetrics(0.5, 0.5, 10));

    public static TangleGraph Genesis(TangleOptions? options = null) => new(Tx("g"), options);

    /// <summary>A random tangle: each new transaction approves 1–3 distinct transactions among the last <paramref name="window"/>.</summary>
    public static TangleGraph Random(int count, int seed, TangleOptions? options = null, int window = 12)
    {
        var random = new Random(seed);
        var graph = Genesis(options);
        for (var i = 1; i < count; i++)
        {
            var parentCount = Math.Min(graph.Count, random.Next(1, 4));
            var parents = new HashSet<string>();
            while (parents.Count < parentCount)
                parents.Add(graph[Math.Max(0, graph.Count - 1 - random.Next(Math.Min(window, graph.Count)))].Id);
            Assert.Equal(AddStatus.Added, graph.Add(Tx($"t{i}", [.. parents])).Status);
        }
        return graph;
    }

    public static TangleGraph Chain(int length, TangleOptions? options = null)
    {
        var graph = Genesis(options);
        for (var i = 1; i < length; i++)
            graph.Add(Tx($"t{i}", graph[i - 1].Id));
        return graph;
    }
}
