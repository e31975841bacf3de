using System.Diagnostics;
using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.TipSelection;

namespace MlAspire.Benchmarks;

/// <summary>
/// Tip selection, reference selection and insertion on tangles of 10^3 … 10^6 transactions. The tangles are grown
/// like a busy network: each transaction approves two of the ~20 most recent ones (about 20 concurrent publishers).
/// </summary>
public static class TangleBenchmarks
{
    public static void Run()
    {
        Console.WriteLine("== Tangle (one thread) ==");
        Console.WriteLine($"{"transactions",12} | {"insert (mean)",13} | {"tip, particle walk depth 20",32} | {"tip, walk from genesis",30} | {"reference, 25 samples",30}");
        var particle = new CumulativeWeightWalk(0.1, WalkStart.Particle(20));
        var fromGenesis = new CumulativeWeightWalk(0.1, WalkStart.Genesis);
        foreach (var size in new[] { 1_000, 10_000, 100_000, 1_000_000 })
        {
            var (graph, insertMicroseconds) = Grow(size, seed: size);
            var random = new Random(1);
            var tip = Measure.Time(() => particle.SelectTip(graph, random), samples: 51, batch: 20);
            var genesisTip = size <= 100_000 ? Measure.Time(() => fromGenesis.SelectTip(graph, random), samples: 11, batch: 2).ToString() : "(skipped: crosses the whole tangle)";
            var reference = new ReferenceSelector(particle, samples: 25);
            var referenceTime = Measure.Time(() => reference.Select(graph, random), samples: 21, batch: 2);
            Console.WriteLine($"{size,12:N0} | {insertMicroseconds,10:F2} µs | {tip,32} | {genesisTip,30} | {referenceTime,30}");
        }
        Console.WriteLine();
    }

    private static (TangleGraph Graph, double InsertMicroseconds) Grow(int size, int seed)
    {
        var random = new Random(seed);
        var graph = new TangleGraph(Tx("g", []));
        var stopwatch = Stopwatch.StartNew();
        for (var i = 1; i < size; i++)
        {
            var a = graph[Math.Max(0, graph.Count - 1 - random.Next(20))].Id;
            var b = graph[Math.Max(0, graph.Count - 1 - random.Next(20))].Id;
            graph.Add(Tx($"t{i}", a == b ? [a] : [a, b], publisher: $"p{i % 20}"));
        }
        return (graph, stopwatch.Elapsed.TotalMicroseconds / (size - 1));
    }

    private static Transaction Tx(string id, string[] parents, string publisher = "genesis") => new(id, parents, id, publisher, 0, TransactionMetrics.None);
}
