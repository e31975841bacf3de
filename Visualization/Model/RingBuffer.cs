namespace MlAspire.Visualization.Model;

/// <summary>The newest <see cref="Capacity"/> items: adding to a full buffer evicts the oldest. Not thread-safe.</summary>
public sealed class RingBuffer<T>(int capacity)
{
    private readonly T[] _items = capacity > 0 ? new T[capacity] : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Must be positive.");
    private int _start;

    public int Capacity => _items.Length;

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="item"/>; returns true and the evicted oldest item when the buffer was full.</summary>
    public bool Add(T item, out T evicted)
    {
        if (Count < _items.Length)
        {
            _items[(_start + Count++) % _items.Length] = item;
            evicted = default!;
            return false;
        }
        evicted = _items[_start];
        _items[_start] = item;
        _start = (_start + 1) % _items.Length;
        return true;
    }

    /// <summary>Oldest first.</summary>
    public T[] ToArray()
    {
        var copy = new T[Count];
        for (var i = 0; i < Count; i++)
            copy[i] = _items[(_start + i) % _items.Length];
        return copy;
    }
}
