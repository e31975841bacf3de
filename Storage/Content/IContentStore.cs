namespace MlAspire.Storage.Content;

/// <summary>How much a store holds: all blocks, and the pinned ones that garbage collection keeps.</summary>
public sealed record StoreUsage(long Bytes, long Blocks, long PinnedBytes, long PinnedBlocks);

/// <summary>
/// Content-addressed blocks, as IPFS keeps them: put returns the CID, get by CID from here or from the network,
/// pins protect blocks from garbage collection. Two implementations: a Kubo RPC node, and the embedded store.
/// </summary>
public interface IContentStore
{
    /// <summary>"ipfs" or "embedded", for logs and metrics.</summary>
    string Kind { get; }

    /// <summary>Stores and pins <paramref name="content"/>; the CID is the same in every backend.</summary>
    Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The block's bytes, verified against its CID, fetched from the network when not held locally.</summary>
    /// <param name="preferredPeer">The peer to ask first (the one that announced the block), when known.</param>
    /// <exception cref="TimeoutException">Nobody supplied the block within <paramref name="timeout"/>.</exception>
    Task<byte[]> GetAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null);

    /// <summary>
    /// <see cref="GetAsync"/>, pinned from the moment it lands, so garbage collection can never take a block between its
    /// arrival and its pin. The pin stays when the fetch fails: pins are a set, so concurrent fetches of one block share
    /// one, and only the caller knows whether another still needs it. The caller unpins what it gives up.
    /// </summary>
    /// <exception cref="TimeoutException">Nobody supplied the block within <paramref name="timeout"/>.</exception>
    Task<byte[]> FetchPinnedAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null);

    /// <summary>Whether the block is held locally (no network).</summary>
    Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken);

    /// <summary>
    /// A block held locally, verified, lent for serving to a neighbour (no network); null when not held. Serving every
    /// block from a new array was a fifth of a busy peer's allocations (docs/benchmarks.md): a store that can lends a
    /// pooled buffer, returned when the lease is disposed.
    /// </summary>
    async ValueTask<BlockLease?> LendLocalAsync(Cid cid, CancellationToken cancellationToken) =>
        await HasAsync(cid, cancellationToken) ? BlockLease.Of(await GetAsync(cid, TimeSpan.FromSeconds(5), cancellationToken)) : null;

    Task PinAsync(Cid cid, CancellationToken cancellationToken);

    /// <summary>Unpins; unpinning a block that is not pinned is not an error.</summary>
    Task UnpinAsync(Cid cid, CancellationToken cancellationToken);

    Task<IReadOnlyCollection<Cid>> PinsAsync(CancellationToken cancellationToken);

    /// <summary>Whether the block is pinned here (no network); a store that can looks it up without listing every pin.</summary>
    async Task<bool> IsPinnedAsync(Cid cid, CancellationToken cancellationToken) => (await PinsAsync(cancellationToken)).Contains(cid);

    /// <summary>Deletes every unpinned block; returns what remains.</summary>
    Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken);

    Task<StoreUsage> UsageAsync(CancellationToken cancellationToken);
}

/// <summary>Where the embedded store asks for blocks it does not hold (the peer's neighbours, over gRPC).</summary>
public interface IBlockSource
{
    /// <summary>
    /// The block from some neighbour, checked (a source that gets bad bytes asks elsewhere), or null when none has it.
    /// The store still checks that it is the block asked for.
    /// </summary>
    /// <param name="preferredPeer">The neighbour to ask first (the one that announced the block), when known.</param>
    Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken);
}
