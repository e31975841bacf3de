namespace MlAspire.Storage.Content;

/// <summary>
/// Blobs larger than a block, stored as IPFS files (<see cref="UnixFsFile"/>) in any <see cref="IContentStore"/>: every
/// block pinned on its own, so keeping or dropping a file is keeping or dropping each of its blocks, and garbage
/// collection never sees a root without its chunks.
/// </summary>
public static class ContentFiles
{
    /// <summary>The CID <paramref name="content"/> has as a file: its raw block for one chunk, its root otherwise.</summary>
    public static Cid FileCid(ReadOnlyMemory<byte> content) => UnixFsFile.Build(content)[0].Cid;

    /// <summary>
    /// Largest raw block accepted as a whole file: weights published before files (one block of up to 1 MiB, as bitswap
    /// moves it whole) keep their CIDs; anything larger must be chunked.
    /// </summary>
    public const int MaxRawFileBytes = 1 << 20;

    /// <summary>Whether <paramref name="cid"/> names <paramref name="content"/>: as a file, or as one raw block written before files.</summary>
    public static bool Names(this Cid cid, ReadOnlyMemory<byte> content) =>
        cid.Codec == ContentCodec.Raw ? content.Length <= MaxRawFileBytes && cid.Matches(content.Span) : cid.Equals(FileCid(content));

    /// <summary>Stores <paramref name="content"/> under <paramref name="cid"/>, which <see cref="Names"/> it: one raw block, or a file.</summary>
    public static async Task PutAsFileAsync(this IContentStore store, Cid cid, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (cid.Codec == ContentCodec.Raw)
            await store.PutAsync(ContentCodec.Raw, content, cancellationToken);
        else
            await store.PutFileAsync(content, cancellationToken);
    }

    /// <summary>
    /// Stores and pins <paramref name="content"/>'s chunks, then its root; returns the root (a raw block for one chunk).
    /// When a block cannot be stored (a full disk), the chunks already pinned are unpinned: nothing would ever release
    /// them. Two files sharing a chunk would need whole 256 KiB runs of equal weights, which trained models do not have.
    /// </summary>
    public static async Task<Cid> PutFileAsync(this IContentStore store, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var blocks = UnixFsFile.Build(content);
        var stored = new List<Cid>();
        try
        {
            foreach (var chunk in blocks.Skip(1))
                stored.Add(await store.PutAsync(ContentCodec.Raw, chunk.Bytes, cancellationToken));
            return await store.PutAsync(blocks[0].Cid.Codec, blocks[0].Bytes, cancellationToken);
        }
        catch when (stored.Count > 0)
        {
            foreach (var chunk in stored)
                await store.UnpinAsync(chunk, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// The file's bytes, every block fetched pinned and checked against its CID as it lands. The root is read first and
    /// refused when it declares more than <paramref name="maxBytes"/>, before any chunk is asked for. As with a block
    /// (<see cref="IContentStore.FetchPinnedAsync"/>), what a failed fetch pinned stays pinned for the caller, which
    /// learns each block before its pin through <paramref name="beforePin"/>: a file's root is not enough to know which
    /// blocks to unpin, since a hostile root may link blocks that other files hold.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a file of raw chunks, larger than allowed, or a chunk of another size than the root says.</exception>
    /// <exception cref="TimeoutException">A block did not arrive within <paramref name="timeout"/>.</exception>
    public static Task<byte[]> FetchPinnedFileAsync(this IContentStore store, Cid cid, long maxBytes, TimeSpan timeout, CancellationToken cancellationToken,
        string? preferredPeer = null, Func<Cid, CancellationToken, Task>? beforePin = null) =>
        ReadFileAsync(cid, maxBytes, async (block, ct) =>
        {
            if (beforePin is not null)
                await beforePin(block, ct);
            return await store.FetchPinnedAsync(block, timeout, ct, preferredPeer);
        }, cancellationToken, blocksVerified: true); // a store returns only bytes that hash to the CID asked for

    /// <summary>
    /// The file <paramref name="cid"/> names, its blocks read one at a time through <paramref name="getBlock"/>; each is
    /// checked against its CID here, unless <paramref name="getBlock"/> does. The root is refused when it declares more than <paramref name="maxBytes"/>, before
    /// any chunk is asked for.
    /// </summary>
    /// <exception cref="InvalidDataException">A block that does not hash to its CID, not a file of raw chunks, larger than allowed, or a chunk of another size than the root says.</exception>
    /// <param name="blocksVerified">Whether <paramref name="getBlock"/> checks each block itself (a store does): then it is not hashed twice.</param>
    public static async Task<byte[]> ReadFileAsync(Cid cid, long maxBytes, Func<Cid, CancellationToken, Task<byte[]>> getBlock, CancellationToken cancellationToken,
        bool blocksVerified = false)
    {
        if (cid.Codec is not (ContentCodec.Raw or ContentCodec.DagPb))
            throw new InvalidDataException($"{cid} is {cid.Codec}, not a file (raw or dag-pb).");
        async Task<byte[]> GetAsync(Cid block)
        {
            var bytes = await getBlock(block, cancellationToken);
            return blocksVerified || block.Matches(bytes) ? bytes : throw new InvalidDataException($"The block served as {block} does not hash to it.");
        }
        var first = await GetAsync(cid);
        if (cid.Codec == ContentCodec.Raw)
            return first.Length <= Math.Min(maxBytes, MaxRawFileBytes)
                ? first
                : throw new InvalidDataException($"{cid} is one raw block of {first.Length:N0} bytes, more than the {Math.Min(maxBytes, MaxRawFileBytes):N0} allowed: larger files are chunked.");
        var chunks = UnixFsFile.ReadRoot(first, maxBytes);
        var content = new byte[chunks.Sum(c => c.Size)];
        var offset = 0;
        foreach (var chunk in chunks)
        {
            var bytes = await GetAsync(chunk.Cid);
            if (bytes.Length != chunk.Size)
                throw new InvalidDataException($"Chunk {chunk.Cid} of {cid} is {bytes.Length:N0} bytes; its root says {chunk.Size:N0}.");
            bytes.CopyTo(content, offset);
            offset += bytes.Length;
        }
        return content;
    }

    /// <summary>
    /// Unpins the file's root and, when the root is held and is one, every chunk it links (a root refused when fetched
    /// had none of its chunks fetched).
    /// </summary>
    public static async Task UnpinFileAsync(this IContentStore store, Cid cid, CancellationToken cancellationToken)
    {
        if (cid.Codec == ContentCodec.DagPb && await store.HasAsync(cid, cancellationToken))
        {
            IReadOnlyList<FileChunk> chunks;
            try
            {
                chunks = UnixFsFile.ReadRoot(await store.GetAsync(cid, TimeSpan.FromSeconds(5), cancellationToken), UnixFsFile.MaxBytes);
            }
            catch (InvalidDataException)
            {
                chunks = [];
            }
            foreach (var chunk in chunks)
                await store.UnpinAsync(chunk.Cid, cancellationToken);
        }
        await store.UnpinAsync(cid, cancellationToken);
    }
}
