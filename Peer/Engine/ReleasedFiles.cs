using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>
/// The blocks that releasing weights frees. A file's chunks may also be linked by a file the replica still holds — a
/// member can publish a copy of a chunked model (a CNN's) with only its last chunk changed — so unpinning a released
/// file by its root and everything it links would take the original's chunks too, and the next collection would delete
/// them from under it. A released file's chunks are unpinned only when no held file links them; when a held file's
/// links cannot be read, none is. The links of held files are read from their roots once and kept while they are
/// held; raw-block weights (every model up to 256 KiB) have none.
/// </summary>
public sealed class ReleasedFiles(IContentStore store)
{
    private readonly Dictionary<Cid, IReadOnlyList<Cid>> _links = [];

    /// <summary>Each released blob and, for a file, every chunk it links: what retention may unpin, before it looks at what is held.</summary>
    public async Task<List<Cid>> CandidatesAsync(IReadOnlyList<Cid> released, CancellationToken cancellationToken)
    {
        var blocks = new List<Cid>(released);
        foreach (var root in released.Where(IsFile))
            if (await LinksAsync(root, cancellationToken) is { } links)
                blocks.AddRange(links);
        return blocks;
    }

    /// <summary>
    /// Among <paramref name="marked"/> candidates, those that no blob in <paramref name="held"/> is or links; the
    /// chunks of <paramref name="released"/> files are all kept when a held file's links are unknown.
    /// </summary>
    public async Task<IReadOnlyCollection<Cid>> NotHeldAsync(IReadOnlyList<Cid> marked, IReadOnlyList<Cid> released, IReadOnlyList<Cid> held,
        CancellationToken cancellationToken)
    {
        var kept = new HashSet<Cid>(held);
        var unknown = false;
        foreach (var root in held.Where(IsFile))
        {
            if (await LinksAsync(root, cancellationToken) is { } links)
                kept.UnionWith(links);
            else
                unknown = true;
        }
        foreach (var gone in _links.Keys.Except(kept).ToList())
            _links.Remove(gone);
        var releasedRoots = released.ToHashSet();
        return marked.Where(block => !kept.Contains(block) && !(unknown && block.Codec == ContentCodec.Raw && !releasedRoots.Contains(block))).ToHashSet();
    }

    private static bool IsFile(Cid cid) => cid.Codec == ContentCodec.DagPb;

    /// <summary>The root's links; none when it is not a root this system writes, unknown (null, and not kept) when the store cannot give it now.</summary>
    private async Task<IReadOnlyList<Cid>?> LinksAsync(Cid root, CancellationToken cancellationToken)
    {
        if (_links.TryGetValue(root, out var known))
            return known;
        byte[] bytes;
        try
        {
            if (!await store.HasAsync(root, cancellationToken))
                return null;
            bytes = await store.GetAsync(root, TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
        try
        {
            return _links[root] = UnixFsFile.ReadRoot(bytes, UnixFsFile.MaxBytes).Select(chunk => chunk.Cid).ToList();
        }
        catch (InvalidDataException)
        {
            return _links[root] = []; // refused when fetched: none of its chunks came with it
        }
    }
}
