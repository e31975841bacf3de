using MlAspire.Tangle.Attacks;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Data.Partitioning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Simulation;

/// <summary>A virtual peer: its private data and, if it is Byzantine, its attack.</summary>
public sealed record SimulatedPeer(int Index, LocalData Data, IAttack? Attack)
{
    public string Id => $"peer-{Index}";

    public bool IsHonest => Attack is null;
}

/// <summary>The peers of one experiment, built once so that every method learns from exactly the same split.</summary>
public sealed class Federation
{
    private readonly Participation _participation;

    private Federation(IReadOnlyList<SimulatedPeer> peers, Participation participation) => (Peers, _participation) = (peers, participation);

    public IReadOnlyList<SimulatedPeer> Peers { get; }

    /// <summary>The peers that train in <paramref name="round"/>, in peer order.</summary>
    public IReadOnlyList<SimulatedPeer> ActiveIn(int round) => [.. Peers.Where(p => _participation.IsActive(p.Index, round))];

    public IEnumerable<SimulatedPeer> Honest => Peers.Where(p => p.IsHonest);

    public static Federation Create(SimulationConfig config, Dataset trainPool)
    {
        var random = new Random(Sampling.DeriveSeed(config.Seed, 0));
        var partitions = Partitioners.Parse(config.Partition).Partition(trainPool.Labels, trainPool.ClassCount, config.Peers, random);
        var attackers = ChooseAttackers(config, new Random(Sampling.DeriveSeed(config.Seed, 0, 1))); // own stream: the split is the same with and without attackers
        var peers = partitions.Select((indices, i) =>
        {
            var (train, test) = DataSplits.LocalSplit(trainPool.Subset(indices), config.LocalTestFraction, random);
            return new SimulatedPeer(i, new LocalData(train, test), attackers.Contains(i) ? config.Attack!.CreateAttack() : null);
        }).ToList();
        return new Federation(peers, Participation.Create(config, Sampling.DeriveSeed(config.Seed, 0, 2)));
    }

    private static HashSet<int> ChooseAttackers(SimulationConfig config, Random random)
    {
        if (config.Attack is null)
            return [];
        var count = (int)Math.Round(config.Attack.Fraction * config.Peers, MidpointRounding.AwayFromZero);
        return Enumerable.Range(0, config.Peers).OrderBy(_ => random.Next()).Take(count).ToHashSet();
    }
}
