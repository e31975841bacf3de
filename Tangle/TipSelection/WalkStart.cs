using MlAspire.Tangle.Dag;

namespace MlAspire.Tangle.TipSelection;

/// <summary>
/// Where a random walk starts. From genesis, a walk crosses the whole tangle; from a particle a fixed depth below
/// the newest transactions, its cost stays flat however large the tangle grows.
/// </summary>
/// <param name="ParticleDepth">Steps back along random parents from one of the newest arrivals; null starts at genesis.</param>
public sealed record WalkStart(int? ParticleDepth)
{
    /// <summary>How many recent publishers a particle may start from: the newest arrival of each.</summary>
    public const int RecentPublishers = 32;

    /// <summary>How far back (in arrivals) a publisher's newest transaction may be and still be a start…</summary>
    public const int RecentWindow = 1000;

    /// <summary>…unless there would be fewer starts than this: then the next most recent publishers are starts too.</summary>
    public const int MinimumPublishers = 8;

    public static WalkStart Genesis { get; } = new((int?)null);

    public static WalkStart Particle(int depth) =>
        depth > 0 ? new WalkStart(depth) : throw new ArgumentOutOfRangeException(nameof(depth), depth, "Particle depth must be positive.");

    /// <remarks>
    /// Particles start from recent arrivals rather than from a random tip: old lazy tips that nobody approved stay tips
    /// forever, and a walk dropped below one of them would have to climb the whole tangle again. They start from the
    /// newest arrival of each recent publisher, not from the newest arrivals: a publisher flooding the tangle would
    /// otherwise own every start, and every walk would begin in its branch. Identities are cheap, though: a Sybil
    /// operator with three members beside two honest peers still owns three starts in five, and a walk begun in a
    /// sub-tangle that approves only itself never leaves it. So a walk that rates transactions rates the starts too,
    /// by the rule of its steps: a start whose model fails on this peer's data is rarely drawn.
    /// </remarks>
    public int Choose(TangleGraph graph, Random random) => Choose(graph, random, 0, static _ => 0);

    /// <summary>Draws among the recent publishers' newest arrivals with probability ∝ exp(alpha · (rating − best)), then steps back.</summary>
    public int Choose(TangleGraph graph, Random random, double alpha, Func<int, double> rating)
    {
        if (ParticleDepth is not { } depth)
            return 0;
        var starts = graph.NewestPerPublisher(RecentPublishers, RecentWindow, MinimumPublishers);
        var current = starts.Count == 1 ? starts[0] : WeightedRandomWalk.Draw(starts, alpha, rating, random);
        for (var step = 0; step < depth; step++)
        {
            var parents = graph.ParentsOf(current);
            if (parents.IsEmpty) break;
            current = parents[random.Next(parents.Length)];
        }
        return current;
    }
}
