using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Attacks;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Publishing;

namespace MlAspire.Tangle.Tests.Training;

public class StrategyTests
{
    private static readonly ModelShape Shape = ModelShape.LogisticRegression(1, 2); // 4 parameters

    [Fact]
    public void Publish_rules()
    {
        var evidence = new PublishEvidence(new Evaluation(0.5, 0.8), new Evaluation(0.6, 0.7), [new Evaluation(0.4, 0.9), new Evaluation(0.9, 0.5)]);
        Assert.Null(new BetterThanReference().Reject(evidence));
        Assert.Contains("best parent", new BetterThanParents().Reject(evidence));
        Assert.Null(new BetterThanParents().Reject(evidence with { Trained = new Evaluation(0.3, 0.9) }));
        Assert.NotNull(new BetterThanReference().Reject(evidence with { Trained = new Evaluation(0.6, 0.9) }));
        Assert.Null(new AlwaysPublish().Reject(evidence with { Trained = new Evaluation(9, 0) }));
    }

    [Fact]
    public void Attacks_poison_what_they_claim()
    {
        var start = new ModelWeights(Shape, [1, 1, 1, 1]);
        var trained = new ModelWeights(Shape, [2, 0, 1, 3]);

        Assert.Equal([11f, -9f, 1f, 21f], new ScaledUpdateAttack(10).PoisonUpdate(trained, start, new Random(1)).Values.ToArray());
        var random = new RandomWeightsAttack(3).PoisonUpdate(trained, start, new Random(1));
        Assert.Equal(Shape, random.Shape);
        Assert.NotEqual(trained.Values.ToArray(), random.Values.ToArray());

        var data = new Dataset([0, 0, 0, 0], [3, 8, 3, 1], 1, 10);
        Assert.Equal([8, 8, 8, 1], new LabelFlipAttack(3, 8).PoisonData(data).Labels);
        Assert.Same(data, ((IAttack)new RandomWeightsAttack()).PoisonData(data));

        Assert.Equal([0f, 2f, 1f, -1f], new SignFlipAttack().PoisonUpdate(trained, start, new Random(1)).Values.ToArray());
        Assert.Equal([-1f, 3f, 1f, -3f], new SignFlipAttack(2).PoisonUpdate(trained, start, new Random(1)).Values.ToArray());
        IAttack freeRider = new FreeRiderAttack();
        Assert.False(freeRider.Trains);
        Assert.Same(start, freeRider.PoisonUpdate(trained, start, new Random(1)));
        IAttack sybil = new SybilFloodAttack(7);
        Assert.Equal((7, true, false), (sybil.PublishesPerRound, sybil.ApprovesOnlyAllies, sybil.Trains));
        IAttack honestLooking = new ScaledUpdateAttack();
        Assert.Equal((1, false, true), (honestLooking.PublishesPerRound, honestLooking.ApprovesOnlyAllies, honestLooking.Trains));
    }

    [Theory]
    [InlineData("random:0.2", "random", 0.2)]
    [InlineData("flip:0.1:2-7", "flip 2->7", 0.1)]
    [InlineData("scale:0.5:3", "scale x3", 0.5)]
    [InlineData("sign-flip:0.2", "sign flip x1", 0.2)]
    [InlineData("sign-flip:0.3:4", "sign flip x4", 0.3)]
    [InlineData("free-rider:0.4", "free rider", 0.4)]
    [InlineData("sybil:0.2", "sybil flood x5", 0.2)]
    [InlineData("sybil:0.1:10", "sybil flood x10", 0.1)]
    public void Attack_specs_parse(string text, string name, double fraction)
    {
        var spec = AttackSpec.Parse(text);
        Assert.Equal(fraction, spec.Fraction);
        Assert.Equal(name, spec.CreateAttack().Name);
        Assert.Equal(text, spec.ToString());
    }

    [Theory]
    [InlineData("random")]
    [InlineData("random:1.5")]
    [InlineData("bogus:0.2")]
    [InlineData("flip:0.2:3")]
    [InlineData("scale:0.2:x")]
    [InlineData("sign-flip:0.2:-1")]
    [InlineData("free-rider:0.2:1")]
    [InlineData("sybil:0.2:0")]
    [InlineData("sybil:0.2:1.5")]
    [InlineData("random:0.2:1:2")]
    public void Bad_attack_specs_are_refused(string text) => Assert.Throws<FormatException>(() => AttackSpec.Parse(text));
}
