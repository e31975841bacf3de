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
    private static int _stores;

    private readonly ConcurrentDictionary<string, ModelWeights> _weights = new(StringComparer.Ordinal);
    // Peers remember scores by weights id across the methods of a run, so ids must not repeat from store to store.
    private readonly string _prefix = $"s{Interlocked.Increment(ref _stores)}w";
    private int _nextId;

    public int Count => _weights.Count;

    public string Put(ModelWeights weights)
    {
        var id = $"{_prefix}{Interlocked.Increment(ref _nextId) - 1}";
        _weights[id] = weights;
        return id;
    }

    public void Release(string weightsId) => _weights.TryRemove(weightsId, out _);

    public bool TryGet(string weightsId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ModelWeights weights) => _weights.TryGetValue(weightsId, out weights);

    public ModelWeights Get(string weightsId) =>
        _weights.TryGetValue(weightsId, out var weights) ? weights : throw new KeyNotFoundException($"No weights with id {weightsId}.");
}
