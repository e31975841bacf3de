using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Attacks;

/// <summary>
/// A Sybil flood: the attacking identities publish <see cref="PublishesPerRound"/> times as often as an honest peer,
/// approve only each other's transactions, and publish noise without training, to bury honest work under volume and
/// pull walks into their own sub-tangle.
/// </summary>
public sealed class SybilFloodAttack : IAttack
{
    public const int DefaultRate = 5;

    public SybilFloodAttack(int rate = DefaultRate) =>
        PublishesPerRound = rate is >= 1 and <= 100 ? rate : throw new FormatException($"A Sybil flood's rate is {rate}; it must be in [1, 100].");

    public string Name => $"sybil flood x{PublishesPerRound}";

    public int PublishesPerRound { get; }

    public bool ApprovesOnlyAllies => true;

    public bool Trains => false;

    public ModelWeights PoisonUpdate(ModelWeights trained, ModelWeights start, Random random) =>
        new RandomWeightsAttack().PoisonUpdate(trained, start, random);
}
