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

    public string Kind => "ipfs";

    public KuboRpcClient Client => ipfs;

    public async Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var expected = Cid.Compute(codec, content.Span);
        // A raw block is pinned by the put itself, so no garbage collection can fall in between. A transaction cannot
        // be: dag/put and block/put pin recursively, which would pull in its whole ancestry (see the remarks above).
        var stored = codec == ContentCodec.DagJson
            ? await ipfs.DagPutAsync(content, "dag-json", "dag-json", pin: false, cancellationToken)
            : await ipfs.BlockPutAsync(content, pin: true, cancellationToken);
        if (stored != expected.ToString())
            throw new InvalidDataException($"The IPFS node stored the block as {stored}, but its bytes hash to {expected}: it re-encoded them.");
        if (codec == ContentCodec.DagJson)
            await PinAsync(expected, cancellationToken);
        return expected;
    }

    public async Task<byte[]> GetAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var bytes = await ipfs.BlockGetAsync(cid.ToString(), timeout, cancellationToken);
        return cid.Matches(bytes) ? bytes : throw new InvalidDataException($"The IPFS node returned bytes that do not hash to {cid}.");
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

    public async Task<IReadOnlyCollection<Cid>> PinsAsync(CancellationToken cancellationToken) =>
        (await ipfs.PinLsAsync(cancellationToken, "recursive")).Concat(await ipfs.PinLsAsync(cancellationToken, "direct"))
            .Distinct()
            .Select(text => Cid.TryParse(text, out var cid, out _) ? cid : (Cid?)null)
            .OfType<Cid>()
            .ToList();

    public async Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        await ipfs.RepoGcAsync(cancellationToken);
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
}
