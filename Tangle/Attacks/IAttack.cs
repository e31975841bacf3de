using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Attacks;

/// <summary>
/// A Byzantine peer's behaviour. An attacker trains like everybody else, then corrupts its data, its update or both,
/// and publishes whatever its local tests say.
/// </summary>
public interface IAttack
{
    string Name { get; }

    /// <summary>The data the attacker trains on instead of its honest data.</summary>
    Dataset PoisonData(Dataset honest) => honest;

    /// <summary>The weights it publishes, given what it trained and the model it started from.</summary>
    ModelWeights PoisonUpdate(ModelWeights trained, ModelWeights start, Random random) => trained;
}
