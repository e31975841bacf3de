using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Attacks;

/// <summary>
/// Republishes its parents' average without training: it claims credit (and approvals) for others' work and adds
/// nothing, diluting the tangle with copies of old models.
/// </summary>
public sealed class FreeRiderAttack : IAttack
{
    public string Name => "free rider";

    public bool Trains => false;

    public ModelWeights PoisonUpdate(ModelWeights trained, ModelWeights start, Random random) => start;
}
