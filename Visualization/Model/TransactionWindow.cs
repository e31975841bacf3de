namespace MlAspire.Visualization.Model;

/// <summary>The newest transactions of one peer's replica, each once, in the order they were read (parents before children).</summary>
public sealed class TransactionWindow(int capacity)
{
    private readonly RingBuffer<TransactionView> _transactions = new(capacity);
    private readonly HashSet<string> _cids = new(StringComparer.Ordinal);

    public int Count => _transactions.Count;

    /// <summary>False when the transaction is already in the window (a replay after a reconnect).</summary>
    public bool Add(TransactionView transaction)
    {
        if (!_cids.Add(transaction.Cid)) return false;
        if (_transactions.Add(transaction, out var evicted))
            _cids.Remove(evicted.Cid);
        return true;
    }

    public bool Contains(string cid) => _cids.Contains(cid);

    public TransactionView[] ToArray() => _transactions.ToArray();
}
