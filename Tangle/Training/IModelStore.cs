using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Training;

/// <summary>
/// Where weights are found by id. Synchronous on purpose: a transaction enters a peer's tangle only after its weights
/// were fetched and validated, so everything the engine asks for is already local.
/// </summary>
public interface IModelStore
{
    /// <exception cref="KeyNotFoundException">The weights are not available locally.</exception>
    ModelWeights Get(string weightsId);

    /// <summary>
    /// The weights, or false when they are not held: a long-running peer releases the weights of old transactions,
    /// and a late joiner may accept such transactions for their place in the DAG alone.
    /// </summary>
    bool TryGet(string weightsId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ModelWeights weights);
}
