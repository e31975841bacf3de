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
    /// by the rule of its steps: a start whose model fails on this peer's data is rarely drawn. And since the walk
    /// begins at the particle, not at the start, a good model published on top of junk (so that the particle lands in
    /// the junk) counts by the lower of the two ratings.
    /// </remarks>
    public int Choose(TangleGraph graph, Random random) => Choose(graph, random, 0, static _ => 0).Particle;

    /// <summary>How many starts a rated choice draws at most before it keeps the last particle.</summary>
    public const int MaxDraws = 8;

    /// <summary>
    /// Draws a start among the recent publishers' newest arrivals and steps back to its particle, with probability
    /// ∝ exp(alpha · (min(rating of start, rating of particle) − best)): starts are drawn by their own rating, and a
    /// particle rated below its start is kept with probability exp(−alpha · drop), else drawn again. Genesis, where a
    /// young tangle's particles land, is always kept.
    /// </summary>
    /// <returns>The start drawn (the recent transaction the walk aims at) and its particle, where the walk begins; genesis for both without a particle depth.</returns>
    public (int Start, int Particle) Choose(TangleGraph graph, Random random, double alpha, Func<int, double> rating)
    {
        if (ParticleDepth is not { } depth)
            return (0, 0);
        var starts = graph.NewestPerPublisher(RecentPublishers, RecentWindow, MinimumPublishers);
        var (start, particle) = (0, 0);
        for (var draw = 0; draw < MaxDraws; draw++)
        {
            start = starts.Count == 1 ? starts[0] : WeightedRandomWalk.Draw(starts, alpha, rating, random);
            particle = StepBack(graph, start, depth, random);
            if (particle == 0 || alpha == 0)
                return (start, particle);
            var drop = rating(start) - rating(particle);
            if (drop <= 0 || random.NextDouble() < Math.Exp(-alpha * drop))
                return (start, particle);
        }
        return (start, particle);
    }

    private static int StepBack(TangleGraph graph, int current, int depth, Random random)
    {
        for (var step = 0; step < depth; step++)
        {
            var parents = graph.ParentsOf(current);
            if (parents.IsEmpty) break;
            current = parents[random.Next(parents.Length)];
        }
        return current;
    }
}
