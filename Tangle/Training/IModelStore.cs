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
}
