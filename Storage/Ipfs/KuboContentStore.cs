using System.Collections.Concurrent;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Ipfs;

/// <summary>
/// The IPFS backend: blocks live in a Kubo-compatible node (Kubo, or the project's js-ipfs) and missing ones arrive over
/// bitswap. Every CID the node returns is checked against the one computed here, so the two backends can never
/// disagree about what a transaction is called.
/// </summary>
/// <remarks>
/// Every block is pinned directly, never recursively. A recursive pin on a transaction would hold (and fetch) its whole
/// ancestry with every ancestor's weights, which is exactly the unbounded growth retention exists to prevent. A raw
/// block has no links, so either pin keeps the same; but js-ipfs's garbage collection reads every recursively pinned
/// block to look for links, under the lock that holds up every pinned write: at 2,000 pinned weights (400 MB), a
/// network of peers stalled for minutes (docs/benchmarks.md).
/// </remarks>
public sealed class KuboContentStore(KuboRpcClient ipfs) : IContentStore
{
    private static readonly TimeSpan LocalProbe = TimeSpan.FromMilliseconds(500);

    // A put and its pin are two calls: this peer's own collection must not fall between them.
    private readonly SemaphoreSlim _putOrCollect = new(1, 1);

    // The sizes of pinned blocks seen here, so that reading the store's usage asks the node only about blocks it has not
    // seen: it asked block/stat of every pin after every collection, and js-ipfs reads the whole block to answer.
    private readonly ConcurrentDictionary<Cid, long> _sizes = new();

    public string Kind => "ipfs";

    public KuboRpcClient Client => ipfs;

    public async Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            return await PutOnNodeAsync(codec, content, cancellationToken);
        }
        catch (IpfsApiException e) when (IsRepoFull(e))
        {
            throw new StoreFullException($"The IPFS node's repo has no space left: {e.Message}", e);
        }
    }

    private async Task<Cid> PutOnNodeAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var expected = Cid.Compute(codec, content.Span);
        string stored;
        // Not pinned by the put, which pins recursively (dag/put would pull in a transaction's whole ancestry), but
        // directly right after it; this peer's own garbage collection waits until the pin is in place.
        await _putOrCollect.WaitAsync(cancellationToken);
        try
        {
            stored = codec is ContentCodec.Raw or ContentCodec.DagPb
                ? await ipfs.BlockPutAsync(content, pin: false, cancellationToken, format: codec == ContentCodec.DagPb ? "dag-pb" : "raw")
                : await ipfs.DagPutAsync(content, "dag-json", "dag-json", pin: false, cancellationToken);
            if (stored == expected.ToString())
                await PinAsync(expected, cancellationToken);
        }
        finally
        {
            _putOrCollect.Release();
        }
        if (stored != expected.ToString())
            throw new InvalidDataException($"The IPFS node stored the block as {stored}, but its bytes hash to {expected}: it re-encoded them.");
        _sizes[expected] = content.Length;
        return expected;
    }

    public async Task<byte[]> GetAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null)
    {
        var bytes = await ipfs.BlockGetAsync(cid.ToString(), timeout, cancellationToken);
        return cid.Matches(bytes) ? bytes : throw new InvalidDataException($"The IPFS node returned bytes that do not hash to {cid}.");
    }

    /// <summary>
    /// pin/add first — it fetches a missing block and pins it in one step, so it never sits unpinned in the node — then
    /// block/get, which finds it local. Bitswap asks every connected node; there is no peer to prefer. As in every store,
    /// a failed fetch leaves its pin (if pin/add got that far) to the caller.
    /// </summary>
    public async Task<byte[]> FetchPinnedAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null)
    {
        try
        {
            await PinDirectlyAsync(cid, cancellationToken, timeout);
            var bytes = await GetAsync(cid, timeout, cancellationToken);
            _sizes[cid] = bytes.Length;
            return bytes;
        }
        catch (IpfsApiException e) when (IsRepoFull(e))
        {
            throw new StoreFullException($"The IPFS node's repo has no space left for {cid}: {e.Message}", e);
        }
    }

    public async Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken)
    {
        try
        {
            await ipfs.BlockGetAsync(cid.ToString(), LocalProbe, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>One local read, verified (the interface's default probes first, then reads again: two full block/gets per block served).</summary>
    public async ValueTask<BlockLease?> LendLocalAsync(Cid cid, CancellationToken cancellationToken)
    {
        try
        {
            return BlockLease.Of(await GetAsync(cid, LocalProbe, cancellationToken));
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public Task PinAsync(Cid cid, CancellationToken cancellationToken) => PinDirectlyAsync(cid, cancellationToken);

    /// <summary>A block an older version of this store pinned recursively is pinned already: both nodes refuse to pin it directly too.</summary>
    private async Task PinDirectlyAsync(Cid cid, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        try
        {
            await ipfs.PinAddAsync(cid.ToString(), recursive: false, cancellationToken, timeout);
        }
        catch (IpfsApiException e) when (e.Error?.Message?.Contains("pinned recursively", StringComparison.OrdinalIgnoreCase) == true)
        {
        }
    }

    public async Task UnpinAsync(Cid cid, CancellationToken cancellationToken) => await ipfs.PinRmAsync(cid.ToString(), cancellationToken);

    /// <summary>
    /// Pinned directly, as <see cref="PinAsync"/> pins it, or recursively by an older version of this store: one such
    /// read as unpinned would be taken for the claims' own and unpinned when they end, though the replica holds it.
    /// Two lookups of one pin each (never type=all, which walks every recursive pin's blocks).
    /// </summary>
    public async Task<bool> IsPinnedAsync(Cid cid, CancellationToken cancellationToken) =>
        await ipfs.IsPinnedAsync(cid.ToString(), "direct", cancellationToken) || await ipfs.IsPinnedAsync(cid.ToString(), "recursive", cancellationToken);

    /// <summary>Direct pins, and recursive ones an older version of this store made.</summary>
    public async Task<IReadOnlyCollection<Cid>> PinsAsync(CancellationToken cancellationToken) =>
        (await ipfs.PinLsAsync(cancellationToken, "recursive")).Concat(await ipfs.PinLsAsync(cancellationToken, "direct"))
            .Distinct()
            .Select(text => Cid.TryParse(text, out var cid, out _) ? cid : (Cid?)null)
            .OfType<Cid>()
            .ToList();

    public async Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        await _putOrCollect.WaitAsync(cancellationToken);
        try
        {
            await ipfs.RepoGcAsync(cancellationToken);
        }
        finally
        {
            _putOrCollect.Release();
        }
        return await UsageAsync(cancellationToken);
    }

    public async Task<StoreUsage> UsageAsync(CancellationToken cancellationToken)
    {
        var stat = await ipfs.RepoStatAsync(cancellationToken);
        var pins = await PinsAsync(cancellationToken);
        long pinnedBytes = 0;
        foreach (var pin in pins)
            pinnedBytes += _sizes.TryGetValue(pin, out var size) ? size : _sizes[pin] = await ipfs.BlockStatAsync(pin.ToString(), cancellationToken);
        if (_sizes.Count > pins.Count)
        {
            var pinned = pins.ToHashSet();
            foreach (var seen in _sizes.Keys.Where(seen => !pinned.Contains(seen)))
                _sizes.TryRemove(seen, out _);
        }
        return new StoreUsage(stat.RepoSize, stat.NumObjects, pinnedBytes, pins.Count);
    }

    /// <summary>Kubo (Go) and js-ipfs both pass the operating system's ENOSPC text through.</summary>
    private static bool IsRepoFull(IpfsApiException e) =>
        e.Error?.Message is { } message && (message.Contains("no space left on device", StringComparison.OrdinalIgnoreCase) || message.Contains("ENOSPC", StringComparison.Ordinal));
}
