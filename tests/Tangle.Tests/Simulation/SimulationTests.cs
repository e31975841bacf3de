using MlAspire.Tangle.Attacks;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Simulation;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Tests.Simulation;

public class SimulationTests
{
    private static readonly Dataset Data = SyntheticData.GaussianBlobs(1200, 10, 4, 2.5, new Random(1));

    private static SimulationConfig Config(int seed = 3) => new()
    {
        Peers = 6,
        Rounds = 6,
        Partition = "dirichlet:0.5",
        Model = ModelShape.LogisticRegression(10, 4),
        Seed = seed,
    };

    private static IReadOnlyList<RoundResult> Run(SimulationConfig config)
    {
        var (pool, heldOut) = DataSplits.HoldOut(Data, 1000);
        return SimulationRunner.Run(config, pool, heldOut);
    }

    [Fact]
    public void Same_seed_same_numbers_and_another_seed_other_numbers()
    {
        var first = Run(Config());
        Assert.Equal(first, Run(Config()));
        Assert.NotEqual(first, Run(Config(seed: 4)));
    }

    [Fact]
    public void All_methods_learn_and_the_tangle_grows()
    {
        var results = Run(Config());
        Assert.Equal(3 * 6, results.Count);
        foreach (var method in results.GroupBy(r => r.Method))
            Assert.True(method.Last().Accuracy > 0.8, $"{method.Key} reached {method.Last().Accuracy:P1}");
        var tangle = results.Where(r => r.Method == "tangle").ToList();
        Assert.True(tangle[^1].TangleSize > tangle[0].TangleSize);
        Assert.All(tangle, r => Assert.InRange(r.Tips!.Value, 1, r.TangleSize!.Value));
    }

    [Fact]
    public void Random_weight_attackers_collapse_fedavg_but_not_the_defended_tangle()
    {
        var config = Config() with
        {
            Peers = 10,
            Rounds = 8,
            Attack = AttackSpec.Parse("random:0.2:5"),
            Learning = new LearningParameters { TipSelector = TipSelectorKind.Accuracy, Alpha = 10, ParentCount = 2, TipCandidates = 4 },
            Methods = [SimulatedMethodKind.Tangle, SimulatedMethodKind.FedAvg],
        };
        var final = Run(config).Where(r => r.Round == config.Rounds).ToDictionary(r => r.Method);
        Assert.True(final["tangle"].Accuracy > 0.8, $"tangle {final["tangle"].Accuracy:P1}");
        Assert.True(final["fedavg"].Accuracy < final["tangle"].Accuracy - 0.2, $"fedavg {final["fedavg"].Accuracy:P1}");
    }

    [Fact]
    public void Attackers_are_the_configured_share_of_peers()
    {
        var (pool, _) = DataSplits.HoldOut(Data, 1000);
        var federation = Federation.Create(Config() with { Peers = 10, Attack = AttackSpec.Parse("flip:0.3") }, pool);
        Assert.Equal(3, federation.Peers.Count(p => !p.IsHonest));
        Assert.Equal(pool.Count, federation.Peers.Sum(p => p.Data.Train.Count + p.Data.Test.Count));
    }

    [Fact]
    public void Bad_configuration_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Run(Config() with { Peers = 0 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { ActiveQuota = 0 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { Methods = [] }));
    }
}
