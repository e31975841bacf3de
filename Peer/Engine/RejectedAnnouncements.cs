using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Engine;

/// <summary>
/// Transactions refused for what they are (forged, malformed, from a non-member…), remembered so that announcing one
/// again costs a lookup, not another round of fetching and verifying. Bounded: the oldest entries go first.
/// </summary>
internal sealed class RejectedAnnouncements(int capacity = 4096)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Cid, RejectionReason> _reasons = [];
    private readonly Queue<Cid> _order = new();

    public RejectionReason? Find(Cid cid)
    {
        lock (_lock)
            return _reasons.TryGetValue(cid, out var reason) ? reason : null;
    }

    public void Remember(Cid cid, RejectionReason reason)
    {
        lock (_lock)
        {
            if (!_reasons.TryAdd(cid, reason)) return;
            _order.Enqueue(cid);
            if (_order.Count > capacity)
                _reasons.Remove(_order.Dequeue());
        }
    }
}
