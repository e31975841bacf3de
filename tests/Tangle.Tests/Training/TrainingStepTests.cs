using MlAspire.Tangle.Attacks;
using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.TipSelection;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Simulation;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Tests.Training;

public class TrainingStepTests
{
    private static readonly ModelShape Shape = ModelShape.LogisticRegression(8, 3);

    private sealed class Fixture
    {
        public InMemoryModelStore Store { get; } = new();
        public TangleGraph Graph { get; }
        public LocalData Local { get; }
        public IModel Model { get; } = Models.Create(Shape);

        public Fixture(int seed = 1)
        {
            var data = SyntheticData.GaussianBlobs(300, Shape.Inputs, Shape.Classes, 3.0, new Random(seed));
            Local = new LocalData(data.Slice(0, 240), data.Slice(240, 60));
            Graph = new TangleGraph(new Transaction("g", [], Store.Put(Model.Initialize(new Random(seed))), "genesis", 0, TransactionMetrics.None));
        }

        public string Publish(ModelWeights weights, params string[] parents)
        {
            var id = $"t{Graph.Count}";
            Assert.Equal(AddStatus.Added, Graph.Add(new Transaction(id, parents, Store.Put(weights), "p", 0, new TransactionMetrics(1, 0, 100))).Status);
            return id;
        }

        public ModelWeights Trained(int epochs)
        {
            var values = Store.Get(Graph.Genesis.WeightsId).ToArray();
            Model.Train(values, Local.Train, new SgdOptions(epochs), new Random(3));
            return new ModelWeights(Shape, values);
        }
    }

    [Fact]
    public void An_honest_step_from_genesis_trains_a_better_model_and_publishes_it()
    {
        var f = new Fixture();
        var outcome = TrainingStep.Run(f.Graph, f.Local, f.Store, new LearningParameters(), new Random(1));

        Assert.True(outcome.ShouldPublish, outcome.SkipReason);
        Assert.Equal(["g"], outcome.Parents.Select(p => p.Id));
        Assert.True(outcome.TrainedEvaluation.Loss < outcome.ReferenceEvaluation.Loss);
        Assert.Equal(f.Local.Train.Count, outcome.Metrics.SampleCount);
        Assert.Equal(outcome.TrainedEvaluation.Accuracy, outcome.Metrics.LocalAccuracy);
    }

    [Fact]
    public void The_same_seed_gives_the_same_outcome()
    {
        var f = new Fixture();
        f.Publish(f.Trained(1), "g");
        f.Publish(f.Trained(2), "g");
        var parameters = new LearningParameters { ParentCount = 2, TipCandidates = 3 };
        var a = TrainingStep.Run(f.Graph, f.Local, f.Store, parameters, new Random(42));
        var b = TrainingStep.Run(f.Graph, f.Local, f.Store, parameters, new Random(42));
        Assert.Equal(a.Weights.Values.ToArray(), b.Weights.Values.ToArray());
        Assert.Equal(a.Parents, b.Parents);
    }

    [Fact]
    public void A_model_that_does_not_beat_the_reference_is_not_published()
    {
        var f = new Fixture();
        var good = f.Publish(f.Trained(30), "g");
        // A learning rate this small leaves the averaged start unchanged: no better than the reference it started from.
        var parameters = new LearningParameters { Sgd = new SgdOptions(1, 16, 1e-12f) };
        var outcome = TrainingStep.Run(f.Graph, f.Local, f.Store, parameters, new Random(1));

        Assert.Equal([good], outcome.Parents.Select(p => p.Id));
        Assert.False(outcome.ShouldPublish);
        Assert.Contains("does not beat the reference", outcome.SkipReason);
        Assert.True(TrainingStep.Run(f.Graph, f.Local, f.Store, parameters with { PublishRule = PublishRuleKind.Always }, new Random(1)).ShouldPublish);
    }

    [Fact]
    public void Oversampled_tips_keep_the_lowest_local_loss_so_a_poisoned_tip_is_not_approved()
    {
        var f = new Fixture();
        var good = f.Publish(f.Trained(5), "g");
        var poisoned = f.Publish(new RandomWeightsAttack(5).PoisonUpdate(f.Trained(1), f.Trained(1), new Random(9)), "g");
        var defended = new LearningParameters { TipSelector = TipSelectorKind.Uniform, ParentCount = 1, TipCandidates = 8 };
        var undefended = defended with { TipCandidates = 1 };

        var chosenWithDefence = Enumerable.Range(0, 30).Select(s => TrainingStep.Run(f.Graph, f.Local, f.Store, defended, new Random(s)).Parents.Single().Id).ToList();
        var chosenWithout = Enumerable.Range(0, 30).Select(s => TrainingStep.Run(f.Graph, f.Local, f.Store, undefended, new Random(s)).Parents.Single().Id).ToList();

        Assert.All(chosenWithDefence, id => Assert.Equal(good, id));
        Assert.Contains(poisoned, chosenWithout);
    }

    [Fact]
    public void Reference_screening_keeps_a_high_ranked_poisoned_tip_out_of_the_reference()
    {
        var f = new Fixture();
        f.Publish(f.Trained(3), "g");
        f.Publish(f.Trained(4), "g");
        var poisoned = f.Publish(new RandomWeightsAttack(10).PoisonUpdate(f.Trained(1), f.Trained(1), new Random(9)), "g");
        var screened = new LearningParameters { TipSelector = TipSelectorKind.Uniform, ReferenceTopK = 2, ReferenceCandidates = 3 };
        var unscreened = screened with { ReferenceCandidates = 2, ScreeningStandardErrors = 0 };
        var selector = new UniformRandomTips();

        var withScreening = Enumerable.Range(0, 20).Select(s => ReferenceModel.Select(f.Graph, f.Store, f.Local, selector, screened, new Random(s))).ToList();
        var without = Enumerable.Range(0, 20).Select(s => ReferenceModel.Select(f.Graph, f.Store, f.Local, selector, unscreened, new Random(s))).ToList();

        Assert.All(withScreening, r => Assert.DoesNotContain(poisoned, r.Transactions.Select(t => t.Id)));
        Assert.All(withScreening, r => Assert.Equal(2, r.Transactions.Count));
        Assert.Contains(without, r => r.Transactions.Any(t => t.Id == poisoned));
    }

    [Fact]
    public void A_diverging_step_is_skipped_with_a_reason_instead_of_publishing_non_finite_weights()
    {
        var f = new Fixture();
        var parameters = new LearningParameters { Sgd = new SgdOptions(5, 1, 3e38f), PublishRule = PublishRuleKind.Always };
        var outcome = TrainingStep.Run(f.Graph, f.Local, f.Store, parameters, new Random(1));
        Assert.False(outcome.ShouldPublish);
        Assert.Contains("diverged", outcome.SkipReason);
    }

    [Fact]
    public void An_attacker_publishes_its_poison_whatever_its_local_test_says()
    {
        var f = new Fixture();
        var outcome = TrainingStep.Run(f.Graph, f.Local, f.Store, new LearningParameters(), new Random(1), new RandomWeightsAttack(10));
        Assert.True(outcome.ShouldPublish);
        Assert.True(f.Model.Evaluate(outcome.Weights.Values, f.Local.Test).Loss > outcome.ReferenceEvaluation.Loss);
    }

    [Fact]
    public void Invalid_parameters_are_refused_with_a_clear_message()
    {
        var f = new Fixture();
        var error = Assert.Throws<ArgumentException>(() =>
            TrainingStep.Run(f.Graph, f.Local, f.Store, new LearningParameters { ParentCount = 3, TipCandidates = 2 }, new Random(1)));
        Assert.Contains("TipCandidates", error.Message);
    }

    [Fact]
    public void A_tangle_whose_only_tip_has_no_weights_here_fails_loudly()
    {
        var f = new Fixture();
        f.Graph.Add(new Transaction("orphan-weights", ["g"], "nowhere", "p", 0, TransactionMetrics.None));
        var error = Assert.Throws<KeyNotFoundException>(() => TrainingStep.Run(f.Graph, f.Local, f.Store, new LearningParameters(), new Random(1)));
        Assert.Contains("weights available", error.Message);
    }

    [Fact]
    public void Transactions_whose_weights_were_released_are_walked_through_but_never_used()
    {
        var f = new Fixture();
        // An old transaction kept for its place in the DAG only (its weights were released), approved by a live one.
        f.Graph.Add(new Transaction("pruned", ["g"], "released", "p", 0, TransactionMetrics.None));
        var live = f.Publish(f.Trained(3), "pruned");
        var sibling = f.Publish(f.Trained(2), "g");

        var outcome = TrainingStep.Run(f.Graph, f.Local, f.Store, new LearningParameters(), new Random(1));

        Assert.DoesNotContain("pruned", outcome.Parents.Select(p => p.Id));
        Assert.DoesNotContain("pruned", outcome.Reference.Transactions.Select(t => t.Id));
        Assert.Subset(new HashSet<string> { live, sibling }, outcome.Parents.Select(p => p.Id).ToHashSet());
    }
}
