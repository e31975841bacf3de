using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Attacks;

/// <summary>
/// A Byzantine peer's behaviour. An attacker trains like everybody else (unless it does not <see cref="Trains"/>), then
/// corrupts its data, its update or both, and publishes whatever its local tests say.
/// </summary>
public interface IAttack
{
    string Name { get; }

    /// <summary>Whether it trains at all; one that does not publishes <see cref="PoisonUpdate"/> of its start.</summary>
    bool Trains => true;

    /// <summary>Transactions it publishes per round, where an honest peer publishes at most one.</summary>
    int PublishesPerRound => 1;

    /// <summary>Whether it approves only fellow attackers' transactions instead of walking the tangle.</summary>
    bool ApprovesOnlyAllies => false;

    /// <summary>The data the attacker trains on instead of its honest data.</summary>
    Dataset PoisonData(Dataset honest) => honest;

    /// <summary>The weights it publishes, given what it trained and the model it started from.</summary>
    ModelWeights PoisonUpdate(ModelWeights trained, ModelWeights start, Random random) => trained;
}
