using MlAspire.Storage.Content;

namespace MlAspire.Storage.Ipfs;

/// <summary>
/// The IPFS backend: blocks live in a Kubo-compatible node (Kubo, or the project's js-ipfs) and missing ones arrive over
/// bitswap. Every CID the node returns is checked against the one computed here, so the two backends can never
/// disagree about what a transaction is called.
/// </summary>
/// <remarks>
/// Transactions are pinned directly, never recursively: a recursive pin would hold (and fetch) a transaction's whole
/// ancestry with every ancestor's weights, which is exactly the unbounded growth retention exists to prevent.
/// </remarks>
public sealed class KuboContentStore(KuboRpcClient ipfs) : IContentStore
{
    private static readonly TimeSpan LocalProbe = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _putOrCollect = new(1, 1);

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
        if (codec is ContentCodec.Raw or ContentCodec.DagPb)
        {
            // Pinned by the put itself. A file's root is put after its chunks, so pinning it finds them local.
            stored = await ipfs.BlockPutAsync(content, pin: true, cancellationToken, format: codec == ContentCodec.DagPb ? "dag-pb" : "raw");
        }
        else
        {
            // A transaction cannot be pinned by its put (dag/put pins recursively, which would pull in its whole
            // ancestry), so this peer's own garbage collection waits until the pin is in place.
            await _putOrCollect.WaitAsync(cancellationToken);
            try
            {
                stored = await ipfs.DagPutAsync(content, "dag-json", "dag-json", pin: false, cancellationToken);
                if (stored == expected.ToString())
                    await PinAsync(expected, cancellationToken);
            }
            finally
            {
                _putOrCollect.Release();
            }
        }
        return stored == expected.ToString()
            ? expected
            : throw new InvalidDataException($"The IPFS node stored the block as {stored}, but its bytes hash to {expected}: it re-encoded them.");
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
            await ipfs.PinAddAsync(cid.ToString(), recursive: cid.Codec == ContentCodec.Raw, cancellationToken, timeout);
            return await GetAsync(cid, timeout, cancellationToken);
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

    public Task PinAsync(Cid cid, CancellationToken cancellationToken) => ipfs.PinAddAsync(cid.ToString(), recursive: cid.Codec == ContentCodec.Raw, cancellationToken);

    public async Task UnpinAsync(Cid cid, CancellationToken cancellationToken) => await ipfs.PinRmAsync(cid.ToString(), cancellationToken);

    /// <summary>Looked up as <see cref="PinAsync"/> pins it: raw blocks recursively, the rest directly.</summary>
    public Task<bool> IsPinnedAsync(Cid cid, CancellationToken cancellationToken) =>
        ipfs.IsPinnedAsync(cid.ToString(), cid.Codec == ContentCodec.Raw ? "recursive" : "direct", cancellationToken);

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
            pinnedBytes += await ipfs.BlockStatAsync(pin.ToString(), cancellationToken);
        return new StoreUsage(stat.RepoSize, stat.NumObjects, pinnedBytes, pins.Count);
    }

    /// <summary>Kubo (Go) and js-ipfs both pass the operating system's ENOSPC text through.</summary>
    private static bool IsRepoFull(IpfsApiException e) =>
        e.Error?.Message is { } message && (message.Contains("no space left on device", StringComparison.OrdinalIgnoreCase) || message.Contains("ENOSPC", StringComparison.Ordinal));
}
