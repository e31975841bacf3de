using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>
/// A record's signed document, wherever it is: in memory for the newest arrivals and for history the store has
/// released, in the store otherwise (<see cref="Replica.DocumentsInMemory"/>).
/// </summary>
public sealed class TransactionDocuments(Replica replica, IContentStore store)
{
    /// <summary>The signed bytes; null when neither memory nor the store has them (a store that lost a block).</summary>
    public async ValueTask<byte[]?> ReadAsync(TransactionRecord record, CancellationToken cancellationToken)
    {
        if (record.Document is { } inMemory) return inMemory;
        using var lease = await store.LendLocalAsync(record.Cid, cancellationToken);
        return lease?.Memory.ToArray() ?? replica.Get(record.Cid)?.Document; // released meanwhile: memory has it now
    }

    /// <summary>
    /// Takes documents that retention is releasing from the store back into memory, so the replica still serves them;
    /// returns the ones that may now be unpinned. One the store cannot read stays pinned (nothing is lost).
    /// </summary>
    public async Task<List<Cid>> KeepReleasedAsync(IReadOnlyList<Cid> released, CancellationToken cancellationToken)
    {
        var unpin = new List<Cid>(released.Count);
        foreach (var cid in released)
        {
            if (replica.Get(cid) is not { } record) continue;
            if (record.Document is null)
            {
                using var lease = await store.LendLocalAsync(cid, cancellationToken);
                if (lease is null || !replica.KeepDocument(cid, lease.Memory.ToArray())) continue;
            }
            unpin.Add(cid);
        }
        return unpin;
    }
}
