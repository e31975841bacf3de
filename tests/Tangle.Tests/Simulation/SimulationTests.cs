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
            Methods = ["tangle", "fedavg"],
        };
        var final = Run(config).Where(r => r.Round == config.Rounds).ToDictionary(r => r.Method);
        Assert.True(final["tangle"].Accuracy > 0.8, $"tangle {final["tangle"].Accuracy:P1}");
        Assert.True(final["fedavg"].Accuracy < final["tangle"].Accuracy - 0.2, $"fedavg {final["fedavg"].Accuracy:P1}");
    }

    [Fact]
    public void A_robust_aggregator_stops_what_plain_fedavg_does_not()
    {
        var config = Config() with { Peers = 10, Rounds = 8, Attack = AttackSpec.Parse("random:0.2:5"), Methods = ["fedavg", "fedavg:median", "fedavg:multi-krum:2"] };
        var final = Run(config).Where(r => r.Round == config.Rounds).ToDictionary(r => r.Method);
        Assert.True(final["fedavg:median"].Accuracy > 0.8, $"median {final["fedavg:median"].Accuracy:P1}");
        Assert.True(final["fedavg:multi-krum:2"].Accuracy > 0.8, $"multi-krum {final["fedavg:multi-krum:2"].Accuracy:P1}");
        Assert.True(final["fedavg"].Accuracy < final["fedavg:median"].Accuracy - 0.2, $"fedavg {final["fedavg"].Accuracy:P1}");
    }

    [Theory]
    [InlineData("median")]
    [InlineData("trimmed-mean")]
    [InlineData("multi-krum")]
    public void The_tangle_learns_with_a_robust_aggregator(string aggregator)
    {
        var config = Config() with { Methods = ["tangle"], Learning = new LearningParameters { Aggregator = aggregator } };
        Assert.True(Run(config)[^1].Accuracy > 0.8, $"{aggregator}: {Run(config)[^1].Accuracy:P1}");
    }

    [Fact]
    public void Sybils_publish_at_their_rate_and_approve_only_each_other()
    {
        var config = Config() with { Peers = 10, Rounds = 4, Attack = AttackSpec.Parse("sybil:0.2:3"), Methods = ["tangle"] };
        var (pool, heldOut) = DataSplits.HoldOut(Data, 1000);
        var federation = Federation.Create(config, pool);
        var sybils = federation.Peers.Where(p => !p.IsHonest).Select(p => p.Id).ToHashSet();
        var tangle = new TangleLearning("tangle", config, federation, Models.Create(config.Model).Initialize(new Random(1)), heldOut);
        for (var round = 1; round <= config.Rounds; round++)
            tangle.Train(round);

        var graph = tangle.Graph;
        var bySybils = Enumerable.Range(1, graph.Count - 1).Where(s => sybils.Contains(graph[s].Publisher)).ToList();
        Assert.Equal(2 * 3 * config.Rounds, bySybils.Count);
        foreach (var sequence in bySybils)
            Assert.All(graph[sequence].Parents, parent => Assert.True(parent == graph.Genesis.Id || sybils.Contains(graph[graph.TryGetSequence(parent, out var s) ? s : -1].Publisher)));
        Assert.Contains(Enumerable.Range(1, graph.Count - 1), s => !sybils.Contains(graph[s].Publisher));
    }

    [Fact]
    public void Methods_run_side_by_side_learn_as_they_do_alone()
    {
        // Each peer remembers its scores by weights id, across the methods of a run; two tangles' stores both numbered
        // their weights w0, w1, … so the defended tangle's walks were scored with the undefended tangle's models.
        var config = Config() with { Peers = 10, Rounds = 8, Attack = AttackSpec.Parse("random:0.3"), Methods = ["tangle"] };
        var alone = Run(config);
        var besideAnother = Run(config with { Methods = ["tangle-undefended", "tangle"] }).Where(r => r.Method == "tangle").ToList();
        Assert.Equal(alone, besideAnother);
    }

    [Fact]
    public void Weights_beyond_the_horizon_are_released_and_learning_goes_on()
    {
        var config = Config() with { Rounds = 12, RetainedWeights = 5, Methods = ["tangle"] };
        var (pool, heldOut) = DataSplits.HoldOut(Data, 1000);
        TangleLearning Learning(SimulationConfig config) =>
            new("tangle", config, Federation.Create(config, pool), Models.Create(config.Model).Initialize(new Random(1)), heldOut);
        var tangle = Learning(config);
        var keepingAll = Learning(config with { RetainedWeights = 100_000 });
        for (var round = 1; round <= config.Rounds; round++)
        {
            tangle.Train(round);
            keepingAll.Train(round);
            Assert.InRange(tangle.HeldWeights, 1, config.RetainedWeights + config.Peers + 1); // horizon, each publisher's newest, genesis
        }
        Assert.True(tangle.Graph.Count > 3 * (config.RetainedWeights + config.Peers + 1), $"{tangle.Graph.Count} transactions");
        // Compared with the same run keeping every weight: this split (seed 3) is a hard one: 0.755 released, 0.75
        // keeping every weight, with centered clipping (0.75 both with the filtered trimmed mean; 0.83 to 0.99 with other
        // aggregators; over 40 seeds, measured before centered clipping, the mean is 0.99 with each).
        var accuracy = tangle.Evaluate(config.Rounds).Accuracy;
        Assert.True(accuracy > 0.6 && accuracy >= keepingAll.Evaluate(config.Rounds).Accuracy - 0.05, $"{accuracy:P1}");
    }

    [Fact]
    public void Slow_peers_train_less_and_churned_peers_leave_and_come_back()
    {
        var config = Config() with { Peers = 40, Rounds = 200, ActiveQuota = 1.0, SlowestQuota = 0.2, Churn = 0.05 };
        var (pool, _) = DataSplits.HoldOut(Data, 1000);
        var federation = Federation.Create(config, pool);
        var rounds = Enumerable.Range(1, config.Rounds).ToList();
        var trained = federation.Peers.Select(p => rounds.Count(r => federation.ActiveIn(r).Contains(p))).ToList();
        Assert.InRange(trained.Average() / config.Rounds, 0.15, 0.5); // speeds 0.2–1 (mean 0.6), present about half the time
        Assert.True(trained.Max() > 2 * trained.Min(), $"slowest {trained.Min()}, fastest {trained.Max()}");
        Assert.All(federation.Peers, p => Assert.Contains(rounds, r => !federation.ActiveIn(r).Contains(p)));
        Assert.Equal(federation.ActiveIn(17).Select(p => p.Index), Federation.Create(config, pool).ActiveIn(17).Select(p => p.Index)); // the same seed, the same peers

        var steady = Federation.Create(Config() with { Rounds = 5 }, pool);
        Assert.All(Enumerable.Range(1, 5), r => Assert.Equal(steady.Peers, steady.ActiveIn(r)));
    }

    [Fact]
    public void With_a_delay_peers_build_on_stale_tips_and_still_learn()
    {
        var config = Config() with { Rounds = 20, Delay = 3, Methods = ["tangle"] };
        var (pool, heldOut) = DataSplits.HoldOut(Data, 1000);
        var tangle = new TangleLearning("tangle", config, Federation.Create(config, pool), Models.Create(config.Model).Initialize(new Random(1)), heldOut);
        for (var round = 1; round <= 3; round++)
        {
            tangle.Train(round);
            Assert.Equal(1, tangle.Graph.Count); // nothing made so far has reached the others
        }
        tangle.Train(4); // round 1's work arrives: all of it built on genesis, as were rounds 2 and 3
        Assert.Equal(1 + tangle.Published, tangle.Graph.Count);
        Assert.True(tangle.Graph.Count > 1);
        Assert.All(Enumerable.Range(1, tangle.Graph.Count - 1), s => Assert.Equal(tangle.Graph.Genesis.Id, Assert.Single(tangle.Graph[s].Parents)));
        for (var round = 5; round <= config.Rounds; round++)
            tangle.Train(round);
        var accuracy = tangle.Evaluate(config.Rounds).Accuracy;
        Assert.True(accuracy > 0.6, $"{accuracy:P1}"); // four classes: chance is 25 %; stale views slow learning (docs/experiments.md)
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
    public void The_tangle_is_scored_on_a_fixed_sample_of_peers_and_on_every_peer_when_the_sample_covers_them()
    {
        var tangleOnly = Config() with { Peers = 12, Methods = ["tangle"] };
        var every = Run(tangleOnly);
        Assert.Equal(every, Run(tangleOnly with { EvaluatedPeers = 12 }));
        var sampled = Run(tangleOnly with { EvaluatedPeers = 3 });
        // The tangle grows the same; only the mean differs, over three peers' references instead of twelve.
        Assert.Equal(every.Select(r => r.TangleSize), sampled.Select(r => r.TangleSize));
        Assert.NotEqual(every.Select(r => r.Accuracy), sampled.Select(r => r.Accuracy));
        Assert.Equal(sampled, Run(tangleOnly with { EvaluatedPeers = 3 }));
    }

    [Fact]
    public void Bad_configuration_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Run(Config() with { Peers = 0 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { ActiveQuota = 0 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { Methods = [] }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { Methods = ["tangle", "tangle"] }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { Methods = ["fedavg:mode"] }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { Methods = ["centralized:median"] }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { RetainedWeights = 0 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { SlowestQuota = 0 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { ActiveQuota = 0.5, SlowestQuota = 0.8 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { Churn = 1 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { Delay = -1 }));
        Assert.Throws<ArgumentException>(() => Run(Config() with { EvaluatedPeers = 0 }));
    }
}
