using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>
/// The blocks that ingestions in flight have pinned, counted. A store's pins are a set: two ingestions that need one
/// block (one transaction announced by two neighbours, two children of one unknown parent, two files sharing a chunk)
/// share one pin, and the one that fails must not unpin what the other is about to insert, or garbage collection later
/// deletes a transaction's weights or document from under the tangle. So every block is claimed before it is pinned,
/// with what it belongs to (a document, or the weights file whose block it is), and each claimer looks, before its
/// own pin, whether the block is pinned already. When the last claim on a block ends, it is unpinned only if it was not
/// pinned before these claims (what was, such as the blocks of weights in the replica that a hostile file links, is
/// never theirs to unpin) and the replica took in nothing it belongs to. Retention unpins through here too, and skips
/// claimed blocks. A claim on a block being unpinned waits until that block is done, so its pin never lands first.
/// </summary>
public sealed class PinClaims(Func<Cid, bool, bool> heldByReplica, Func<Cid, CancellationToken, Task<bool>> isPinned, Func<Cid, Task> unpin)
{
    private sealed class Entry
    {
        public int Count;
        public bool PinnedByClaims;
        public readonly HashSet<(Cid Owner, bool IsWeights)> Owners = [];
    }

    private readonly Dictionary<Cid, Entry> _entries = [];
    private readonly Dictionary<Cid, TaskCompletionSource> _unpinning = [];
    private readonly Lock _lock = new();

    /// <summary>The claims of a peer: what the replica took in is kept, the rest unpinned from its store.</summary>
    public static PinClaims For(Replica replica, IContentStore store) =>
        new((owner, isWeights) => isWeights ? replica.HoldsWeights(owner) : replica.IsKnown(owner), store.IsPinnedAsync,
            block => store.UnpinAsync(block, CancellationToken.None));

    /// <summary>A new ingestion's claims, empty.</summary>
    public Held Begin() => new(this);

    /// <summary>Blocks claimed by ingestions in flight or being unpinned (zero when none is).</summary>
    public int Claimed
    {
        get
        {
            lock (_lock)
                return _entries.Count + _unpinning.Count;
        }
    }

    /// <summary>
    /// Unpins what retention released, except a block an ingestion in flight claims (a transaction arriving now with
    /// the same weights, a file sharing a chunk): its pin stays, as the ingestion expects. The rest is marked first, so
    /// no claim lands on it meanwhile; <paramref name="release"/> then picks, among the marked, what to unpin after all
    /// (the replica may have taken some back in before the marks). Returns the blocks whose unpin failed, with why.
    /// </summary>
    public async Task<IReadOnlyList<(Cid Block, Exception Error)>> UnpinUnclaimedAsync(IEnumerable<Cid> released,
        Func<IReadOnlyList<Cid>, Task<IReadOnlyCollection<Cid>>> release)
    {
        var marked = new List<Cid>();
        lock (_lock)
            foreach (var block in released)
                if (!_entries.ContainsKey(block) && _unpinning.TryAdd(block, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)))
                    marked.Add(block);
        IReadOnlyCollection<Cid> chosen = [];
        try
        {
            chosen = await release(marked);
        }
        finally
        {
            Unmark(marked.Where(block => !chosen.Contains(block)));
        }
        return await UnpinAsync(marked.Where(chosen.Contains).ToList());
    }

    private async Task ClaimAsync(Cid block, Cid owner, bool isWeights, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task unpinning;
            lock (_lock)
            {
                if (!_unpinning.TryGetValue(block, out var marked))
                {
                    if (!_entries.TryGetValue(block, out var entry))
                        _entries[block] = entry = new Entry();
                    entry.Count++;
                    entry.Owners.Add((owner, isWeights));
                    return;
                }
                unpinning = marked.Task;
            }
            await unpinning.WaitAsync(cancellationToken);
        }
    }

    /// <summary>After the claim, before its pin: the first pin among the claims follows a look that saw none.</summary>
    private async Task LookAsync(Cid block, CancellationToken cancellationToken)
    {
        if (await isPinned(block, cancellationToken))
            return;
        lock (_lock)
            _entries[block].PinnedByClaims = true;
    }

    private async Task ReleaseAsync(List<Cid> claimed)
    {
        var toUnpin = new List<Cid>();
        lock (_lock)
        {
            foreach (var block in claimed)
            {
                var entry = _entries[block];
                if (--entry.Count > 0) continue;
                _entries.Remove(block);
                if (entry.PinnedByClaims && !entry.Owners.Any(o => heldByReplica(o.Owner, o.IsWeights)))
                {
                    toUnpin.Add(block);
                    _unpinning[block] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        await UnpinAsync(toUnpin);
    }

    /// <summary>Unpins <paramref name="blocks"/>, each marked as being unpinned until it is done; never throws: failures are returned (the pin stays).</summary>
    private async Task<IReadOnlyList<(Cid Block, Exception Error)>> UnpinAsync(List<Cid> blocks)
    {
        var failed = new List<(Cid, Exception)>();
        for (var i = 0; i < blocks.Count; i++)
        {
            try
            {
                await unpin(blocks[i]);
            }
            catch (Exception e)
            {
                failed.Add((blocks[i], e));
            }
            finally
            {
                Unmark([blocks[i]]);
            }
        }
        return failed;
    }

    private void Unmark(IEnumerable<Cid> blocks)
    {
        var done = new List<TaskCompletionSource>();
        lock (_lock)
            foreach (var block in blocks)
                if (_unpinning.Remove(block, out var marked))
                    done.Add(marked);
        foreach (var marked in done)
            marked.SetResult();
    }

    /// <summary>What one ingestion claimed; used by that ingestion alone.</summary>
    public sealed class Held(PinClaims claims)
    {
        private readonly List<Cid> _claimed = [];

        /// <summary>
        /// Claims <paramref name="block"/>, part of <paramref name="owner"/> (a transaction's document, itself; or a
        /// weights file), and looks whether it is pinned already; call it right before the pin (fetch or put) it covers.
        /// </summary>
        public async Task ClaimAsync(Cid block, Cid owner, bool isWeights, CancellationToken cancellationToken)
        {
            await claims.ClaimAsync(block, owner, isWeights, cancellationToken);
            _claimed.Add(block);
            await claims.LookAsync(block, cancellationToken);
        }

        /// <summary>Ends every claim; never throws. Blocks pinned by the claims, that no other claim holds and the replica did not take in, are unpinned.</summary>
        public Task ReleaseAsync() => claims.ReleaseAsync(_claimed);
    }
}
