using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>
/// A record's signed document, wherever it is: in memory for the newest arrivals and for history the store has
/// released, in the store otherwise (<see cref="Replica.DocumentsInMemory"/>).
/// </summary>
public sealed class TransactionDocuments(Replica replica, IContentStore store, ILogger<TransactionDocuments>? logger = null)
{
    // Released documents the store could not read when retention released them: still pinned, and asked for again at
    // the next pass. Only retention's one loop touches it.
    private readonly List<Cid> _unread = [];

    /// <summary>The signed bytes; null when neither memory nor the store has them (a store that lost a block, or failed to read it).</summary>
    public async ValueTask<byte[]?> ReadAsync(TransactionRecord record, CancellationToken cancellationToken)
    {
        if (record.Document is { } inMemory) return inMemory;
        if (await TryReadStoreAsync(record.Cid, cancellationToken) is { } stored) return stored;
        if (replica.Get(record.Cid)?.Document is { } released) return released; // released meanwhile: memory has it now
        logger?.LogWarning("Transaction {Cid} (sequence {Sequence}) is in the replica, but its document is in neither memory nor the store: not served", record.Cid, record.Sequence);
        return null;
    }

    /// <summary>
    /// Takes documents that retention is releasing from the store back into memory, so the replica still serves them;
    /// returns the ones that may now be unpinned. One the store cannot read now stays pinned and is tried again at the
    /// next call (nothing is lost, and nothing stays pinned for good over one failed read).
    /// </summary>
    /// <remarks>Called from retention's one loop only.</remarks>
    public async Task<List<Cid>> KeepReleasedAsync(IReadOnlyList<Cid> released, CancellationToken cancellationToken)
    {
        var pending = _unread.Concat(released).Distinct().ToList();
        _unread.Clear();
        var unpin = new List<Cid>(pending.Count);
        foreach (var cid in pending)
        {
            if (replica.Get(cid) is not { } record) continue;
            if (record.Document is null)
            {
                if (await TryReadStoreAsync(cid, cancellationToken) is not { } bytes || !replica.KeepDocument(cid, bytes))
                {
                    _unread.Add(cid);
                    continue;
                }
            }
            unpin.Add(cid);
        }
        return unpin;
    }

    /// <summary>The store's copy, verified; null when it has none or cannot read it now (a node timing out, a disk error).</summary>
    private async Task<byte[]?> TryReadStoreAsync(Cid cid, CancellationToken cancellationToken)
    {
        try
        {
            using var lease = await store.LendLocalAsync(cid, cancellationToken);
            return lease?.Memory.ToArray();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger?.LogDebug("Could not read transaction {Cid} from the store: {Error}", cid, e.Message);
            return null;
        }
    }
}
