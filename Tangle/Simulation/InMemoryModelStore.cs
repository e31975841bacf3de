using System.Collections.Concurrent;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Simulation;

/// <summary>
/// The simulator's model store: everyone shares one process, so weights are kept by reference, once, and released
/// as a real peer releases them, so a long run's memory stays flat.
/// </summary>
public sealed class InMemoryModelStore : IModelStore
{
    private readonly ConcurrentDictionary<string, ModelWeights> _weights = new(StringComparer.Ordinal);
    private int _nextId;

    public int Count => _weights.Count;

    public string Put(ModelWeights weights)
    {
        var id = $"w{Interlocked.Increment(ref _nextId) - 1}";
        _weights[id] = weights;
        return id;
    }

    public void Release(string weightsId) => _weights.TryRemove(weightsId, out _);

    public bool TryGet(string weightsId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ModelWeights weights) => _weights.TryGetValue(weightsId, out weights);

    public ModelWeights Get(string weightsId) =>
        _weights.TryGetValue(weightsId, out var weights) ? weights : throw new KeyNotFoundException($"No weights with id {weightsId}.");
}
