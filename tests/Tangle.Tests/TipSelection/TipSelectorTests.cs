using MlAspire.Tangle.Dag;
using MlAspire.Tangle.TipSelection;
using static MlAspire.Tangle.Tests.TangleBuilder;

namespace MlAspire.Tangle.Tests.TipSelection;

public class TipSelectorTests
{
    public static TheoryData<string> Selectors => ["cumulative", "accuracy", "uniform", "particle"];

    private static ITipSelector Create(string name) => name switch
    {
        "cumulative" => new CumulativeWeightWalk(0.5, WalkStart.Genesis),
        "accuracy" => new AccuracyWeightedWalk(5, WalkStart.Genesis, s => (s % 10) / 10.0),
        "uniform" => new UniformRandomTips(),
        "particle" => new CumulativeWeightWalk(0.5, WalkStart.Particle(5)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Every_selector_returns_a_tip(string name)
    {
        var graph = TangleBuilder.Random(500, seed: 3);
        var selector = Create(name);
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
            Assert.True(graph.IsTip(selector.SelectTip(graph, random)));
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Selection_is_deterministic_for_a_seed(string name)
    {
        var graph = TangleBuilder.Random(300, seed: 4);
        int[] Draw() { var r = new Random(9); return Enumerable.Range(0, 50).Select(_ => Create(name).SelectTip(graph, r)).ToArray(); }
        Assert.Equal(Draw(), Draw());
    }

    /// <summary>g ← heavy branch of 20 transactions; g ← one lazy tip. A biased walk almost never picks the lazy tip.</summary>
    [Fact]
    public void Large_alpha_follows_the_heavy_branch_and_zero_alpha_is_uniform_per_step()
    {
        var graph = Genesis();
        graph.Add(Tx("lazy", "g"));
        graph.Add(Tx("h1", "g"));
        for (var i = 2; i <= 20; i++)
            graph.Add(Tx($"h{i}", $"h{i - 1}"));
        graph.TryGetSequence("lazy", out var lazy);

        double LazyShare(double alpha)
        {
            var walk = new CumulativeWeightWalk(alpha, WalkStart.Genesis);
            var random = new Random(2);
            return Enumerable.Range(0, 4000).Count(_ => walk.SelectTip(graph, random) == lazy) / 4000.0;
        }

        Assert.True(LazyShare(1.0) < 0.01);
        Assert.InRange(LazyShare(0.0), 0.45, 0.55);
    }

    [Fact]
    public void Accuracy_walk_prefers_the_more_accurate_branch()
    {
        var graph = Genesis();
        graph.Add(Tx("good", "g"));
        graph.Add(Tx("bad", "g"));
        graph.TryGetSequence("good", out var good);
        var walk = new AccuracyWeightedWalk(20, WalkStart.Genesis, s => s == good ? 0.9 : 0.1);
        var random = new Random(3);
        var share = Enumerable.Range(0, 2000).Count(_ => walk.SelectTip(graph, random) == good) / 2000.0;
        Assert.True(share > 0.99, $"good branch chosen {share:P1}");
    }

    [Fact]
    public void A_lazy_tip_left_deep_in_the_tangle_does_not_drag_particles_back_there()
    {
        var graph = Genesis();
        graph.Add(Tx("lazy", "g"));
        graph.Add(Tx("t1", "g"));
        for (var i = 2; i < 500; i++)
            graph.Add(Tx($"t{i}", $"t{i - 1}"));
        var random = new Random(4);
        for (var i = 0; i < 200; i++)
            Assert.True(graph.HeightOf(WalkStart.Particle(20).Choose(graph, random)) > 400);
    }

    [Fact]
    public void A_particle_starts_below_the_tips_and_genesis_when_the_tangle_is_shallow()
    {
        var chain = Chain(100);
        var random = new Random(1);
        for (var i = 0; i < 100; i++) // ten steps back from the newest arrival of its only publisher
            Assert.Equal(99 - 10, WalkStart.Particle(10).Choose(chain, random));
        Assert.Equal(0, WalkStart.Particle(500).Choose(chain, new Random(1)));
        Assert.Equal(0, WalkStart.Genesis.Choose(chain, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => WalkStart.Particle(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CumulativeWeightWalk(-1, WalkStart.Genesis));
    }

    [Fact]
    public void A_publisher_flooding_the_tangle_holds_one_walk_start_however_many_transactions_it_adds()
    {
        // Ten honest publishers take turns; then one publisher adds 1,000 transactions in a row.
        var graph = Genesis();
        for (var i = 1; i <= 100; i++)
            graph.Add(new Transaction($"h{i}", [i == 1 ? "g" : $"h{i - 1}"], $"w{i}", $"honest-{i % 10}", 0, new TransactionMetrics(0.5, 0.5, 10)));
        for (var i = 1; i <= 1000; i++)
            graph.Add(new Transaction($"f{i}", [i == 1 ? "h100" : $"f{i - 1}"], $"wf{i}", "flooder", 0, new TransactionMetrics(0.5, 0.5, 10)));

        var random = new Random(3);
        var fromFlood = Enumerable.Range(0, 2000).Count(_ => graph[WalkStart.Particle(1).Choose(graph, random)].Publisher == "flooder");
        var starts = graph.NewestPerPublisher(WalkStart.RecentPublishers, WalkStart.RecentWindow, WalkStart.MinimumPublishers).Select(s => graph[s].Publisher).ToList();

        // The flood pushed every honest publisher out of the window; the minimum brings the most recent seven back.
        Assert.Equal(WalkStart.MinimumPublishers, starts.Count);
        Assert.Single(starts, p => p == "flooder");
        Assert.InRange(fromFlood, 2000 / 8 / 2, 2000 * 2 / 8); // about one start in eight, as for any publisher
        // Genesis' publisher, quiet since the start, is no start: walks stay near the newest arrivals.
        Assert.DoesNotContain(graph[0].Publisher, starts);
        // Within the window, every publisher that published there is a start, however many there are.
        Assert.Equal(12, graph.NewestPerPublisher(WalkStart.RecentPublishers, graph.Count, WalkStart.MinimumPublishers).Count);
    }

    [Fact]
    public void Sybils_owning_most_walk_starts_with_a_sub_tangle_of_their_own_rarely_draw_an_accuracy_weighted_walk_into_it()
    {
        // Two honest publishers take turns on one branch; three Sybil identities grow another from genesis, each
        // approving only the Sybil newest. Three of the five walk starts are Sybil, and no walk leaves their branch.
        var graph = Genesis();
        for (var i = 1; i <= 60; i++)
            graph.Add(new Transaction($"h{i}", [i == 1 ? "g" : $"h{i - 1}"], $"w{i}", $"honest-{i % 2}", 0, new TransactionMetrics(0.3, 0.9, 10)));
        for (var i = 1; i <= 60; i++)
            graph.Add(new Transaction($"s{i}", [i == 1 ? "g" : $"s{i - 1}"], $"ws{i}", $"sybil-{i % 3}", 0, new TransactionMetrics(0.3, 0.9, 10)));
        var sybil = graph.NewestPerPublisher(WalkStart.RecentPublishers, WalkStart.RecentWindow, WalkStart.MinimumPublishers)
            .Count(s => graph[s].Publisher.StartsWith("sybil"));
        Assert.Equal(3, sybil);

        // Random weights score about 10 % on the peer's data, honest models about 90 %.
        var walk = new AccuracyWeightedWalk(5, WalkStart.Particle(20), s => graph[s].Publisher.StartsWith("sybil") ? 0.1 : 0.9);
        var random = new Random(5);
        var intoSybils = Enumerable.Range(0, 2000).Count(_ => graph[walk.SelectTip(graph, random)].Publisher.StartsWith("sybil"));

        // Uniform starts would send 3 walks in 5 there (1,200); rated starts about 3·e⁻⁴ / (2 + 3·e⁻⁴) ≈ 2.7 % (55).
        Assert.InRange(intoSybils, 0, 2000 / 20);
        // A walk that rates nothing still draws its starts uniformly.
        var unrated = new CumulativeWeightWalk(0.5, WalkStart.Particle(20));
        Assert.InRange(Enumerable.Range(0, 2000).Count(_ => graph[unrated.SelectTip(graph, random)].Publisher.StartsWith("sybil")), 1000, 1400);
    }

    [Fact]
    public void A_step_rates_a_bounded_number_of_approvers_however_many_a_transaction_has()
    {
        // Genesis approved by 2,000 transactions: one per peer of a large network's first round, or one flooder's work.
        var graph = Genesis();
        for (var i = 0; i < 2000; i++)
            graph.Add(new Transaction($"t{i}", ["g"], $"w{i}", $"peer-{i}", 0, new TransactionMetrics(0.5, 0.5, 10)));
        var rated = 0;
        var walk = new AccuracyWeightedWalk(5, WalkStart.Genesis, s => { rated++; return s % 10 / 10.0; });
        var random = new Random(6);
        var tips = Enumerable.Range(0, 200).Select(_ => walk.SelectTip(graph, random)).ToList();

        Assert.Equal(200 * WeightedRandomWalk.MaxRatedApprovers, rated); // each walk: one step, at most 16 ratings, not 2,000
        Assert.All(tips, t => Assert.True(graph.IsTip(t)));
        Assert.True(tips.Distinct().Count() > 100, "the approvers rated are drawn afresh at each step");
    }

    [Fact]
    public void A_flooder_piling_approvers_on_an_honest_transaction_gets_one_of_the_approvers_a_step_rates()
    {
        // Genesis has two honest approvers and 200 junk ones from one publisher.
        var graph = Genesis();
        graph.Add(new Transaction("h1", ["g"], "wh1", "honest-1", 0, new TransactionMetrics(0.5, 0.5, 10)));
        graph.Add(new Transaction("h2", ["g"], "wh2", "honest-2", 0, new TransactionMetrics(0.5, 0.5, 10)));
        for (var i = 0; i < 200; i++)
            graph.Add(new Transaction($"j{i}", ["g"], $"wj{i}", "flooder", 0, new TransactionMetrics(0.5, 0.5, 10)));
        var walk = new AccuracyWeightedWalk(5, WalkStart.Genesis, s => graph[s].Publisher == "flooder" ? 0.1 : 0.9);
        var random = new Random(8);
        var intoJunk = Enumerable.Range(0, 2000).Count(_ => graph[walk.SelectTip(graph, random)].Publisher == "flooder");

        // Rating all 202: 200·e⁻⁴ / (2 + 200·e⁻⁴) ≈ 65 %; 16 drawn uniformly, mostly junk: ≈ 88 %;
        // one per publisher: e⁻⁴ / (2 + e⁻⁴) ≈ 0.9 %.
        Assert.InRange(intoJunk, 0, 2000 / 20);
    }

    [Fact]
    public void Sybils_publishing_a_good_model_on_top_of_junk_do_not_draw_walks_into_the_junk()
    {
        // Two honest publishers take turns on one branch. Three Sybils grow a junk chain from genesis, each link with a
        // junk side tip, and each then publishes a copy of an honest model on top: their walk starts rate as well as
        // the honest ones, but a particle 20 steps below them lands in the junk, where every step is junk.
        var graph = Genesis();
        for (var i = 1; i <= 60; i++)
            graph.Add(new Transaction($"h{i}", [i == 1 ? "g" : $"h{i - 1}"], $"good{i}", $"honest-{i % 2}", 0, new TransactionMetrics(0.3, 0.9, 10)));
        for (var i = 1; i <= 60; i++)
        {
            graph.Add(new Transaction($"j{i}", [i == 1 ? "g" : $"j{i - 1}"], $"junk{i}", $"sybil-{i % 3}", 0, new TransactionMetrics(0.3, 0.9, 10)));
            graph.Add(new Transaction($"side{i}", [$"j{i}"], $"junk-side{i}", $"sybil-{i % 3}", 0, new TransactionMetrics(0.3, 0.9, 10)));
        }
        for (var k = 0; k < 3; k++)
            graph.Add(new Transaction($"copy{k}", ["j60"], "good60", $"sybil-{k}", 0, new TransactionMetrics(0.3, 0.9, 10)));
        Assert.Equal(3, graph.NewestPerPublisher(WalkStart.RecentPublishers, WalkStart.RecentWindow, WalkStart.MinimumPublishers)
            .Count(s => graph[s].Publisher.StartsWith("sybil")));

        var walk = new AccuracyWeightedWalk(5, WalkStart.Particle(20), s => graph[s].WeightsId.StartsWith("junk") ? 0.1 : 0.9);
        var random = new Random(9);
        var intoJunk = Enumerable.Range(0, 2000).Count(_ => graph[walk.SelectTip(graph, random)].WeightsId.StartsWith("junk"));

        // Rating the start alone let about 3 walks in 5 in (the starts look honest); by the lower of start and particle, few.
        Assert.InRange(intoJunk, 0, 2000 / 10);
    }

    [Fact]
    public void A_step_that_samples_few_approvers_rates_them_alone_where_one_is_as_good_as_the_aim()
    {
        var graph = Genesis();
        for (var i = 0; i < 16; i++)
            graph.Add(new Transaction($"t{i}", ["g"], $"w{i}", $"peer-{i}", 0, new TransactionMetrics(0.5, 0.5, 10)));
        var rated = new HashSet<int>();
        var random = new Random(10);
        for (var k = 0; k < 100; k++)
        {
            rated.Clear();
            WeightedRandomWalk.Walk(graph, 0, 5, s => { rated.Add(s); return 0.9; }, random, sampled: 4, aim: 0.9);
            Assert.InRange(rated.Count, 4, 4 + 1); // four approvers (and genesis, where the walk stood), not all sixteen
        }
    }

    [Fact]
    public void Junk_identities_crowding_an_honest_transactions_approvers_do_not_hide_the_honest_ones_from_a_sampling_step()
    {
        // A young tangle: genesis (a model at chance) has two honest approvers, each built on since, and fourteen junk
        // ones, each from its own identity. Particles land on genesis. Four approvers drawn at random are all junk more
        // often than not (C(14,4) / C(16,4) = 55 %), and junk rates as well as genesis: a step that then rated only its
        // sample, or looked for better only than where it stands, would walk into the junk each time.
        var graph = Genesis();
        graph.Add(new Transaction("h1", ["g"], "good1", "honest-1", 0, new TransactionMetrics(0.5, 0.5, 10)));
        graph.Add(new Transaction("h2", ["g"], "good2", "honest-2", 0, new TransactionMetrics(0.5, 0.5, 10)));
        for (var i = 0; i < 14; i++)
            graph.Add(new Transaction($"j{i}", ["g"], $"junk{i}", $"sybil-{i}", 0, new TransactionMetrics(0.5, 0.5, 10)));
        graph.Add(new Transaction("h3", ["h1", "h2"], "good3", "honest-1", 0, new TransactionMetrics(0.5, 0.5, 10)));
        graph.Add(new Transaction("h4", ["h1", "h2"], "good4", "honest-2", 0, new TransactionMetrics(0.5, 0.5, 10)));
        double Rating(int s) => graph[s].WeightsId.StartsWith("good") ? 0.9 : 0.1;
        int IntoJunk(int ratedApprovers)
        {
            var walk = new AccuracyWeightedWalk(5, WalkStart.Particle(20), Rating, ratedApprovers);
            var random = new Random(11);
            return Enumerable.Range(0, 2000).Count(_ => !graph[walk.SelectTip(graph, random)].WeightsId.StartsWith("good"));
        }

        var sampling = IntoJunk(4);
        var ratingAll = IntoJunk(AccuracyWeightedWalk.AllKeptApprovers);
        Assert.InRange(sampling, 0, ratingAll + 2000 * 3 / 100); // sampling costs the defence at most 3 walks in 100
        Assert.InRange(ratingAll, 0, 2000 * 30 / 100);
    }
}
