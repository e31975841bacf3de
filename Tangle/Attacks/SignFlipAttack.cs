using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Attacks;

/// <summary>
/// Publishes start − factor × (trained − start): the honest update turned around, so averaging it in undoes honest
/// progress (factor 1 is the plain negated update; larger pushes harder).
/// </summary>
public sealed class SignFlipAttack : IAttack
{
    private readonly double _factor;

    public SignFlipAttack(double factor = 1.0) =>
        _factor = factor > 0 ? factor : throw new FormatException($"A sign flip's factor is {factor}; it must be positive.");

    public string Name => $"sign flip x{_factor}";

    public ModelWeights PoisonUpdate(ModelWeights trained, ModelWeights start, Random random) =>
        ScaledUpdateAttack.Scale(trained, start, -_factor);
}
