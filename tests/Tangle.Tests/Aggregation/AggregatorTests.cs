using System.Numerics.Tensors;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Tests.Aggregation;

public class AggregatorTests
{
    private static readonly ModelShape Shape = ModelShape.LogisticRegression(1, 2); // 4 parameters

    private static PublishedModel Model(float value, int samples = 10) => Model([value, value, value, value], samples);

    private static PublishedModel Model(float[] values, int samples = 10) =>
        new(new Transaction($"t{string.Join('/', values)}", ["g"], "w", "p", 0, new TransactionMetrics(0, 0, samples)), new ModelWeights(Shape, values));

    private static PublishedModel Model(ModelShape shape, float[] values) => new(Model(0).Transaction, new ModelWeights(shape, values));

    private static float[] Aggregate(string spec, params PublishedModel[] models) => Aggregators.Create(spec).Aggregate(models).ToArray();

    [Fact]
    public void Mean_and_sample_weighted_aggregation()
    {
        PublishedModel[] models = [Model(1, 100), Model(4, 300)];
        Assert.Equal(2.5f, new MeanAggregator().Aggregate(models).Values[0], 5);
        Assert.Equal(3.25f, new SampleWeightedAggregator().Aggregate(models).Values[0], 5);
        Assert.Equal(2.5f, new SampleWeightedAggregator().Aggregate([Model(1, 0), Model(4, 0)]).Values[0], 5);
    }

    [Fact]
    public void The_mean_follows_one_extreme_model_and_the_median_does_not()
    {
        PublishedModel[] models = [Model(1), Model(2), Model(3), Model(1000)];
        Assert.True(Aggregate("mean", models)[0] > 200);
        Assert.Equal(2.5f, Aggregate("median", models)[0]);
        Assert.Equal(2f, Aggregate("median", Model(1), Model(1000), Model(2))[0]);
    }

    [Fact]
    public void The_median_is_taken_per_coordinate()
    {
        var median = Aggregate("median", Model([1, 9, -5, 0]), Model([2, 8, -6, 0]), Model([300, -300, 300, 7]));
        Assert.Equal([2f, 8f, -5f, 0f], median);
    }

    [Fact]
    public void The_trimmed_mean_drops_beta_of_each_end()
    {
        PublishedModel[] models = [Model(1), Model(2), Model(3), Model(4), Model(-1000)];
        Assert.Equal(2f, Aggregate("trimmed-mean:0.2", models)[0], 5); // drops −1000 and 4: the mean of 1, 2, 3
        Assert.Equal(Aggregate("mean", models)[0], Aggregate("trimmed-mean:0", models)[0], 3);
        Assert.Equal(2.5f, Aggregate("trimmed-mean:0.2", Model(1), Model(4))[0], 5); // too few to trim anything
    }

    [Fact]
    public void Krum_picks_a_model_from_the_honest_cluster()
    {
        PublishedModel[] models = [Model(1f), Model(1.1f), Model(0.9f), Model(1.05f), Model(50), Model(-50), Model(0.95f)];
        var chosen = Aggregate("krum:2", models)[0];
        Assert.InRange(chosen, 0.9f, 1.1f);
        // Colluding attackers that agree with each other are still outvoted by the larger honest cluster.
        Assert.InRange(Aggregate("krum:2", [.. models[..4], Model(40), Model(40.1f), Model(0.95f)])[0], 0.9f, 1.1f);
    }

    [Fact]
    public void Multi_krum_averages_the_best_ranked_and_leaves_the_outliers_out()
    {
        PublishedModel[] models = [Model(1), Model(2), Model(3), Model(1000), Model(2)];
        Assert.Equal(2f, Aggregate("multi-krum:1", models)[0], 5); // n − f = 4 best: 1, 2, 3, 2
        Assert.Equal(2f, Aggregate("multi-krum:1:2", models)[0], 5); // the two 2s score best
        Assert.Equal(Aggregate("krum:1", models), Aggregate("multi-krum:1:1", models));
    }

    [Fact]
    public void Sample_weighting_counts_claimed_samples_and_the_robust_rules_ignore_them()
    {
        PublishedModel[] models = [Model(1, 10), Model(2, 10), Model(100, 1_000_000)];
        Assert.True(Aggregate("samples", models)[0] > 99);
        Assert.Equal(2f, Aggregate("median", models)[0]);
    }

    /// <summary>
    /// Churn and uneven speeds make the attackers' share of one peer's recent tips swing: 20 % random-weight peers
    /// under churn 0.1 became 3 in 8 parents often enough to take a 20-peer MNIST tangle from 90 to 47 % at round 35
    /// (docs/experiments.md). A trimmed mean that drops 2 of 8 at each end keeps a random value whenever all 3 fall on
    /// one side of a coordinate, a quarter of the coordinates.
    /// </summary>
    [Theory]
    [InlineData(3, 8)]
    [InlineData(7, 16)]
    public void The_default_aggregation_keeps_random_weights_out_while_they_are_fewer_than_half(int junk, int count)
    {
        var shape = ModelShape.Mlp(20, 16, 4);
        var random = new Random(junk);
        var center = Enumerable.Range(0, shape.ParameterCount).Select(_ => (float)Sampling.NextGaussian(random) * 0.1f).ToArray();
        PublishedModel Near(float spread) => Model(shape, [.. center.Select(c => c + (float)Sampling.NextGaussian(random) * spread)]);
        var honest = Enumerable.Range(0, count - junk).Select(_ => Near(0.02f)).ToList();
        var models = honest.Concat(Enumerable.Range(0, junk).Select(_ => Model(shape, [.. center.Select(_ => (float)Sampling.NextGaussian(random))]))).ToList();

        var aggregate = Aggregators.Create(new LearningParameters().Aggregator).Aggregate(models).Values;
        var honestMean = new MeanAggregator().Aggregate(honest).Values.ToArray();
        var spread = honest.Average(m => TensorPrimitives.Distance(m.Weights.Values, honestMean));
        Assert.True(TensorPrimitives.Distance(aggregate, honestMean) < spread, $"{TensorPrimitives.Distance(aggregate, honestMean):F3} from the honest mean; honest models {spread:F3}");
    }

    [Fact]
    public void The_filtered_trimmed_mean_leaves_out_only_models_far_from_the_median()
    {
        PublishedModel[] close = [Model(1), Model(2), Model(3), Model(4), Model(5), Model(6)];
        Assert.Equal(Aggregate("trimmed-mean:0.25", close), Aggregate("filtered-trimmed-mean:0.25:3", close)); // all within 3 median distances
        // 40 and 50 lie 71 and 91 from the median (4.5 per coordinate), the median distance is 5: the trimmed mean of the rest.
        Assert.Equal(Aggregate("trimmed-mean:0.25", close), Aggregate("filtered-trimmed-mean:0.25:3", [.. close, Model(40), Model(50)]));
        Assert.NotEqual(Aggregate("trimmed-mean:0.25", close), Aggregate("trimmed-mean:0.25", [.. close, Model(40), Model(50)]));
        Assert.Equal([1.5f, 1.5f, 1.5f, 1.5f], Aggregate("filtered-trimmed-mean", Model(1), Model(2))); // too few to measure
        PublishedModel[] half = [Model(1), Model(2), Model(90), Model(100)]; // no majority: nothing left out
        Assert.Equal(Aggregate("trimmed-mean", half), Aggregate("filtered-trimmed-mean", half));
    }

    private static readonly ModelShape Mlp = ModelShape.Mlp(20, 16, 4); // 404 parameters

    /// <summary>Models around one center, each parameter spread by 0.02 (so each lies about 0.4 from the center).</summary>
    private sealed class Cluster(int seed)
    {
        private readonly Random _random = new(seed);
        public readonly float[] Center = Gaussians(new Random(-seed), Mlp.ParameterCount, 0.1f);

        private static float[] Gaussians(Random random, int count, float spread) =>
            [.. Enumerable.Range(0, count).Select(_ => (float)Sampling.NextGaussian(random) * spread)];

        public PublishedModel Near(float spread = 0.02f, Func<int, float>? shift = null) =>
            Model(Mlp, [.. Center.Select((c, p) => c + (float)Sampling.NextGaussian(_random) * spread + (shift?.Invoke(p) ?? 0))]);
    }

    [Fact]
    public void With_nothing_far_the_filtered_trimmed_mean_is_the_trimmed_mean_of_a_quarter()
    {
        var cluster = new Cluster(1);
        var models = Enumerable.Range(0, 8).Select(_ => cluster.Near()).ToList();
        Assert.Equal(Aggregators.Create("trimmed-mean:0.25").Aggregate(models).ToArray(), Aggregators.Create("filtered-trimmed-mean:0.25:3").Aggregate(models).ToArray());
    }

    [Fact]
    public void Leaving_a_far_honest_model_out_trims_no_fewer_values()
    {
        // One honest peer trained far from the rest is left out; two attackers just inside the limit move one parameter
        // by 1.0, 50 times the honest spread. Trimming ⌊0.25 · 7⌋ = 1 of the 7 left kept one of them (a shift of 0.2).
        var cluster = new Cluster(2);
        var models = Enumerable.Range(0, 5).Select(_ => cluster.Near()).Append(cluster.Near(0.1f))
            .Concat(Enumerable.Range(0, 2).Select(_ => cluster.Near(shift: p => p == 0 ? 1f : 0))).ToList();

        var aggregate = Aggregators.Create("filtered-trimmed-mean:0.25:3").Aggregate(models).Values;
        Assert.InRange(aggregate[0] - cluster.Center[0], -0.06f, 0.06f);
    }

    [Theory]
    [InlineData(8, 2, 4, 2, 0.25)]
    [InlineData(16, 4, 8, 4, 0.25)]
    [InlineData(4, 1, 2, 1, 0.25)]
    [InlineData(8, 2, 3, 3, 0.375)]
    public void A_quarter_of_attackers_beside_the_median_is_still_trimmed(int count, int tight, int wide, int attackers, double beta)
    {
        // The attackers copy the closest honest model but for one parameter, moved by 0.3 (15 spreads of the closest
        // honest models), which the others (10 times the spread elsewhere) agree on. Near the median themselves, the
        // attackers made a lower median of the distances theirs, or at β 3/8 the upper median: the wide honest models
        // were left out, no more models kept than trimmed from both ends, and an attacker's value was one of those
        // averaged (reviews).
        var cluster = new Cluster(count);
        var honest = Enumerable.Range(0, tight).Select(_ => cluster.Near())
            .Concat(Enumerable.Range(0, wide).Select(_ => Model(Mlp, [.. cluster.Near(0.2f).Weights.ToArray().Select((v, p) => p == 0 ? cluster.Center[0] : v)])))
            .ToList();
        var copy = honest[0].Weights.ToArray();
        var models = honest.Concat(Enumerable.Range(0, attackers).Select(_ => Model(Mlp, [.. copy.Select((v, p) => p == 0 ? v + 0.3f : v)]))).ToList();
        Assert.Equal(count, models.Count);

        var aggregate = Aggregators.Create(FormattableString.Invariant($"filtered-trimmed-mean:{beta}:3")).Aggregate(models).Values;
        Assert.InRange(aggregate[0], honest.Min(m => m.Weights.Values[0]), honest.Max(m => m.Weights.Values[0]));
    }

    [Fact]
    public void Centered_clipping_keeps_part_of_what_one_model_alone_learned()
    {
        // One of 8 honest models moved the first 10 parameters by 0.1 (a class only it has seen). The trimmed mean drops
        // that move wherever it is the extreme value; clipping keeps part of it.
        var cluster = new Cluster(6);
        var models = Enumerable.Range(0, 7).Select(_ => cluster.Near()).Append(cluster.Near(shift: p => p < 10 ? 0.1f : 0)).ToList();
        var honestMove = new MeanAggregator().Aggregate(models).Values[..10].ToArray().Select((v, p) => v - cluster.Center[p]).Average();
        float Move(string spec) => Aggregators.Create(spec).Aggregate(models).Values[..10].ToArray().Select((v, p) => v - cluster.Center[p]).Average();

        Assert.InRange(Move("filtered-trimmed-mean:0.2:3"), -0.005f, 0.005f);
        Assert.InRange(Move("centered-clipping"), 0.2f * honestMove, honestMove);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Far_models_leave_the_centered_clipping_within_an_honest_length_of_its_centre(int junk)
    {
        var cluster = new Cluster(7 + junk);
        var honest = Enumerable.Range(0, 8 - junk).Select(_ => cluster.Near()).ToList();
        var random = new Random(junk);
        var models = honest.Concat(Enumerable.Range(0, junk).Select(_ => Model(Mlp, [.. cluster.Center.Select(_ => (float)Sampling.NextGaussian(random) * 100)]))).ToList();

        var centre = Aggregators.Create("filtered-trimmed-mean:0.2:3").Aggregate(models).Values.ToArray();
        var clipped = Aggregators.Create("centered-clipping").Aggregate(models).Values;
        var honestLength = honest.Max(m => TensorPrimitives.Distance(m.Weights.Values, centre));
        Assert.True(TensorPrimitives.Distance(clipped, centre) <= honestLength + 1e-4f); // each kept model adds at most an honest length, over their number
        var honestMean = new MeanAggregator().Aggregate(honest).Values.ToArray();
        var spread = honest.Average(m => TensorPrimitives.Distance(m.Weights.Values, honestMean));
        Assert.True(TensorPrimitives.Distance(clipped, honestMean) < spread, $"{TensorPrimitives.Distance(clipped, honestMean):F3} from the honest mean; honest models {spread:F3}");
    }

    [Fact]
    public void Sign_flipped_models_the_filter_leaves_out_do_not_move_the_centered_clipping()
    {
        // Three of 8 publish the centre minus five times an honest update, as SignFlipTests' hostile member does. Their
        // bounded differences were added back, each up to the lower-quartile length over 8, all the same way, at every
        // step: on real processes one honest peer's reference fell by about 5 points (docs/experiments.md).
        var cluster = new Cluster(11);
        var honest = Enumerable.Range(0, 5).Select(_ => cluster.Near()).ToList();
        var flipped = honest.Take(3).Select(m => Model(Mlp, [.. m.Weights.Values.ToArray().Select((v, p) => cluster.Center[p] - 5 * (v - cluster.Center[p]))]));

        var clipping = Aggregators.Create("centered-clipping");
        Assert.Equal(clipping.Aggregate(honest).ToArray(), clipping.Aggregate([.. honest, .. flipped]).ToArray());
    }

    [Theory]
    [InlineData(6, 1e30f)] // the lengths overflow: the limit was ∞ and ∞/∞ made the result NaN (review)
    [InlineData(3, float.MaxValue)]
    [InlineData(8, -float.MaxValue)]
    public void Huge_values_leave_centered_clipping_finite(int attackers, float value)
    {
        var cluster = new Cluster(10);
        var models = Enumerable.Range(0, 8 - attackers).Select(_ => cluster.Near())
            .Concat(Enumerable.Range(0, attackers).Select(i => Model(Mlp, [.. cluster.Center.Select((_, p) => (p + i) % 2 == 0 ? value : -value)]))).ToList();
        var aggregate = Aggregators.Create("centered-clipping").Aggregate(models);
        Assert.All(aggregate.Values.ToArray(), value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void Attackers_the_filter_leaves_out_do_not_widen_the_bounds_of_the_others()
    {
        // Two of 8 copy an honest model but for parameter 0, moved by 50: far, so left out of the centre. Their values
        // were still the kept range's top (β 0.2 keeps the second highest), so the per-parameter bound was no bound
        // and the length bound alone let them move the parameter past the honest values (review).
        var cluster = new Cluster(11);
        var honest = Enumerable.Range(0, 6).Select(_ => cluster.Near()).ToList();
        var copy = honest[0].Weights.ToArray();
        var models = honest.Concat(Enumerable.Range(0, 2).Select(_ => Model(Mlp, [.. copy.Select((v, p) => p == 0 ? v + 50f : v)]))).ToList();
        var values = honest.Select(m => m.Weights.Values[0]).ToList();

        var aggregate = Aggregators.Create("centered-clipping").Aggregate(models).Values[0];
        Assert.InRange(aggregate, values.Min(), values.Max());
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(1, true)]
    [InlineData(1e6, false)] // the length bound alone
    public void Attackers_that_put_their_length_into_one_parameter_move_it_by_at_most_a_spread(double spreads, bool bounded)
    {
        // Two of 8 attackers copy an honest model but for parameter 0, moved by 1.0 (50 honest spreads, within the
        // distance filter's 3 median distances: farther ones are left out whole). The length bound alone lets each move
        // that one parameter by an eighth of the lower-quartile length (about 0.4 here, and the more parameters a model
        // has the longer), past the honest values.
        var cluster = new Cluster(9);
        var honest = Enumerable.Range(0, 6).Select(_ => cluster.Near()).ToList();
        var copy = honest[0].Weights.ToArray();
        var models = honest.Concat(Enumerable.Range(0, 2).Select(_ => Model(Mlp, [.. copy.Select((v, p) => p == 0 ? v + 1f : v)]))).ToList();
        var values = honest.Select(m => m.Weights.Values[0]).ToList();
        var range = values.Max() - values.Min();

        var aggregate = Aggregators.Create(FormattableString.Invariant($"centered-clipping:1:{spreads}:0.25:3")).Aggregate(models).Values[0];
        Assert.True(bounded == aggregate <= values.Max() + range, $"{aggregate - values.Max():F3} past the honest values, which span {range:F3}");
    }

    [Fact]
    public void The_models_kept_are_trimmed_as_many_as_all_of_them_would_be()
    {
        // The median is 5 and the upper median of the distances 6: 200 is left out, 11 kept; 2 trimmed from each end of
        // the 7 kept leave 3, 4 and 6. Trimming one more, or the median of the kept, gives 4; the plain trimmed mean 5.
        var aggregate = Aggregate("filtered-trimmed-mean:0.25:3", Model(1), Model(2), Model(3), Model(4), Model(6), Model(7), Model(11), Model(200));
        Assert.All(aggregate, value => Assert.Equal(13f / 3, value, 5));
    }

    [Fact]
    public void Half_the_models_the_same_leave_the_others_in()
    {
        // With 4 copies of 8 the median is the copy nearly everywhere; a lower median of the distances made the limit
        // tiny and the result exactly the copy (review).
        var cluster = new Cluster(5);
        var copy = cluster.Near();
        PublishedModel[] models = [copy, copy, copy, copy, cluster.Near(), cluster.Near(), cluster.Near(), cluster.Near()];
        Assert.Equal(Aggregators.Create("trimmed-mean:0.25").Aggregate(models).ToArray(), Aggregators.Create("filtered-trimmed-mean:0.25:3").Aggregate(models).ToArray());
    }

    [Fact]
    public void Trimming_keeps_at_least_one_rank()
    {
        Assert.Equal([0f, 0.5f, 0.5f, 0f], TrimmedMeanAggregator.RankWeights(4, 2));
        Assert.Equal([0f, 0f, 1f, 0f, 0f], TrimmedMeanAggregator.RankWeights(5, 3));
    }

    [Fact]
    public void A_majority_of_copies_leaves_nothing_out()
    {
        // With 5 of 8 the same model the median distance is 0; a limit of 0 dropped every model that differs.
        var cluster = new Cluster(4);
        var copy = cluster.Near();
        PublishedModel[] models = [copy, copy, copy, copy, copy, cluster.Near(), cluster.Near(), cluster.Near()];
        Assert.Equal(Aggregators.Create("trimmed-mean:0.25").Aggregate(models).ToArray(), Aggregators.Create("filtered-trimmed-mean:0.25:3").Aggregate(models).ToArray());
    }

    [Theory]
    [InlineData("samples", typeof(SampleWeightedAggregator))]
    [InlineData("mean", typeof(MeanAggregator))]
    [InlineData("median", typeof(MedianAggregator))]
    [InlineData("trimmed-mean", typeof(TrimmedMeanAggregator))]
    [InlineData("trimmed-mean:0.1", typeof(TrimmedMeanAggregator))]
    [InlineData("filtered-trimmed-mean", typeof(FilteredTrimmedMeanAggregator))]
    [InlineData("filtered-trimmed-mean:0.2:2.5", typeof(FilteredTrimmedMeanAggregator))]
    [InlineData("centered-clipping", typeof(CenteredClippingAggregator))]
    [InlineData("centered-clipping:1:1:0.25:3", typeof(CenteredClippingAggregator))]
    [InlineData("krum", typeof(KrumAggregator))]
    [InlineData("multi-krum:2:5", typeof(MultiKrumAggregator))]
    public void Specs_name_their_aggregator(string spec, Type type) => Assert.IsType(type, Aggregators.Create(spec));

    [Theory]
    [InlineData("mode", "Unknown aggregator")]
    [InlineData("trimmed-mean:0.5", "[0, 0.5)")]
    [InlineData("trimmed-mean:x", "not a number")]
    [InlineData("filtered-trimmed-mean:0.25:1", "must be above 1")]
    [InlineData("filtered-trimmed-mean:0.5", "[0, 0.5)")]
    [InlineData("centered-clipping:0", "must be above 0")]
    [InlineData("centered-clipping:1:0", "must be above 0")]
    [InlineData("krum:-1", "must not be negative")]
    [InlineData("multi-krum:1:-2", "must not be negative")]
    [InlineData("krum:1.5", "not a whole number")]
    [InlineData("", "Unknown aggregator")]
    public void Bad_specs_say_what_is_wrong(string spec, string message)
    {
        var error = Assert.Throws<FormatException>(() => Aggregators.Create(spec));
        Assert.Contains(message, error.Message);
        Assert.Throws<ArgumentException>(() => new LearningParameters { Aggregator = spec }.Validated());
    }

    [Theory]
    [InlineData("median")]
    [InlineData("trimmed-mean")]
    [InlineData("filtered-trimmed-mean")]
    [InlineData("centered-clipping")]
    [InlineData("krum")]
    [InlineData("multi-krum")]
    public void Every_rule_refuses_an_empty_list_and_mixed_shapes(string spec)
    {
        var aggregator = Aggregators.Create(spec);
        Assert.Throws<ArgumentException>(() => aggregator.Aggregate([]));
        var other = new PublishedModel(Model(1).Transaction, new ModelWeights(ModelShape.LogisticRegression(2, 2), new float[6]));
        Assert.ThrowsAny<Exception>(() => aggregator.Aggregate([Model(1), other, Model(2)]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)] // networks pruned from 64
    [InlineData(48)]
    [InlineData(60)] // past the sorting network: sorted per parameter
    public void Order_statistics_match_sorting_each_parameter(int count)
    {
        var shape = ModelShape.Mlp(7, 11, 3); // 124 parameters: vectors and a remainder
        var random = new Random(count);
        var models = Enumerable.Range(0, count).Select(_ => new PublishedModel(
            Model(1).Transaction,
            new ModelWeights(shape, [.. Enumerable.Range(0, shape.ParameterCount).Select(_ => (float)Sampling.NextGaussian(random) * 10)]))).ToList();
        var median = new MedianAggregator().Aggregate(models).Values.ToArray();
        var trimmed = new TrimmedMeanAggregator(0.2).Aggregate(models).Values.ToArray();
        var trim = (int)Math.Floor(0.2 * count);
        for (var p = 0; p < shape.ParameterCount; p++)
        {
            var column = models.Select(m => m.Weights.Values[p]).Order().ToArray();
            var expectedMedian = count % 2 == 1 ? column[count / 2] : (column[count / 2 - 1] + column[count / 2]) / 2;
            Assert.Equal(expectedMedian, median[p], 4);
            Assert.Equal(column[trim..(count - trim)].Average(), trimmed[p], 3);
        }
        // Both from one sort, as the filtered trimmed mean takes them.
        var both = Coordinates.CombineRanks(models, [new TrimmedMeanAggregator(0.2).RankWeights(count), MedianAggregator.RankWeights(count)]);
        Assert.Equal(trimmed, both[0].ToArray());
        Assert.Equal(median, both[1].ToArray());
    }
}
