using System.Collections.Concurrent;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Engine;

/// <summary>
/// The engine's <see cref="IModelStore"/>: decoded, validated weights of the transactions in the replica. A transaction
/// enters the tangle only after its weights are here, so training never waits on the network.
/// </summary>
public sealed class ValidatedWeights : IModelStore
{
    private readonly ConcurrentDictionary<string, ModelWeights> _weights = new(StringComparer.Ordinal);

    public int Count => _weights.Count;

    public void Add(string weightsId, ModelWeights weights) => _weights[weightsId] = weights;

    public bool Contains(string weightsId) => _weights.ContainsKey(weightsId);

    public bool Remove(string weightsId) => _weights.TryRemove(weightsId, out _);

    public bool TryGet(string weightsId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ModelWeights weights) => _weights.TryGetValue(weightsId, out weights);

    public ModelWeights Get(string weightsId) =>
        _weights.TryGetValue(weightsId, out var weights) ? weights : throw new KeyNotFoundException($"Weights {weightsId} are not held by this peer.");
}
