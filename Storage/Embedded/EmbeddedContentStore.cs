using System.Collections.Concurrent;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Embedded;

/// <summary>
/// Content-addressed blocks on local disk, for machines without an IPFS node: the same CIDs, pins and garbage
/// collection, and blocks it lacks fetched from neighbours through an <see cref="IBlockSource"/>.
/// </summary>
/// <remarks>
/// Layout: <c>blocks/CID</c> holds the bytes, <c>pins/CID</c> is an empty marker. Writes go to a temporary file and are
/// renamed into place, so a crash never leaves a partial block under a CID; a block whose bytes no longer hash to its
/// name (disk corruption) is deleted on read and refetched. A pin marker is written before its block, so garbage
/// collection running concurrently can never delete a block that is being stored pinned. A block fetched from a
/// neighbour is written unpinned (the caller pins it once the transaction checks out) and is spared by garbage
/// collection for <see cref="LandingGrace"/> meanwhile.
/// </remarks>
public sealed class EmbeddedContentStore : IContentStore
{
    private readonly string _blocks;
    private readonly string _pins;
    private readonly IBlockSource? _network;
    private readonly ConcurrentDictionary<Cid, long> _sizes = new();
    private readonly ConcurrentDictionary<Cid, byte> _pinned = new();
    private readonly ConcurrentDictionary<Cid, long> _landedAt = new(); // fetched, not yet pinned: Environment.TickCount64
    private readonly SemaphoreSlim _collecting = new(1, 1);

    /// <summary>How long a fetched block waits for its pin before garbage collection may take it.</summary>
    public static readonly TimeSpan LandingGrace = TimeSpan.FromMinutes(2);

    public EmbeddedContentStore(string directory, IBlockSource? network = null)
    {
        _blocks = Directory.CreateDirectory(Path.Combine(directory, "blocks")).FullName;
        _pins = Directory.CreateDirectory(Path.Combine(directory, "pins")).FullName;
        _network = network;
        foreach (var file in Directory.EnumerateFiles(_blocks))
        {
            if (Cid.TryParse(Path.GetFileName(file), out var cid, out _))
                _sizes[cid] = new FileInfo(file).Length;
            else
                File.Delete(file); // a temporary file left by a crash mid-write
        }
        foreach (var file in Directory.EnumerateFiles(_pins))
            if (Cid.TryParse(Path.GetFileName(file), out var cid, out _))
                _pinned[cid] = 0;
    }

    public string Kind => "embedded";

    public async Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var cid = Cid.Compute(codec, content.Span);
        var pinnedBefore = _pinned.ContainsKey(cid);
        await PinAsync(cid, cancellationToken);
        try
        {
            await WriteBlockAsync(cid, content, cancellationToken);
        }
        catch when (!pinnedBefore)
        {
            await UnpinAsync(cid, CancellationToken.None); // no pin left behind for a block that is not here
            throw;
        }
        return cid;
    }

    public async Task<byte[]> GetAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null)
    {
        if (await TryReadLocalAsync(cid, cancellationToken) is { } local)
            return local;
        if (_network is null)
            throw new TimeoutException($"Block {cid} is not stored here and no neighbour is configured.");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        byte[]? fetched;
        try
        {
            fetched = await _network.TryFetchAsync(cid, preferredPeer, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            fetched = null;
        }
        if (fetched is null || !cid.Matches(fetched))
            throw new TimeoutException($"No neighbour supplied block {cid} within {timeout.TotalSeconds:F1} s.");
        if (!_pinned.ContainsKey(cid))
            _landedAt[cid] = Environment.TickCount64; // a block fetched pinned needs no grace: its pin keeps it, its unpin frees it
        await WriteBlockAsync(cid, fetched, cancellationToken);
        return fetched;
    }

    public async Task<byte[]> FetchPinnedAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null)
    {
        await PinAsync(cid, cancellationToken); // the marker first: garbage collection spares the block from the instant it lands
        try
        {
            return await GetAsync(cid, timeout, cancellationToken, preferredPeer);
        }
        catch
        {
            // A block that was already pinned is stored here, so the get cannot fail on it: nothing pinned before is unpinned.
            await UnpinAsync(cid, CancellationToken.None);
            throw;
        }
    }

    public Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken) => Task.FromResult(_sizes.ContainsKey(cid));

    public async Task PinAsync(Cid cid, CancellationToken cancellationToken)
    {
        if (!_pinned.ContainsKey(cid))
        {
            await StoreFullException.GuardAsync($"the pin of {cid}", () => File.WriteAllBytesAsync(Path.Combine(_pins, cid.ToString()), [], cancellationToken));
            _pinned[cid] = 0;
        }
        // Only now, with the pin in place: cleared before it, a garbage collection in between could take the block.
        _landedAt.TryRemove(cid, out _);
    }

    public Task UnpinAsync(Cid cid, CancellationToken cancellationToken)
    {
        if (_pinned.TryRemove(cid, out _))
            File.Delete(Path.Combine(_pins, cid.ToString()));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyCollection<Cid>> PinsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<Cid>>(_pinned.Keys.ToList());

    public async Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        await _collecting.WaitAsync(cancellationToken);
        try
        {
            foreach (var cid in _sizes.Keys)
            {
                if (_pinned.ContainsKey(cid)) continue;
                if (_landedAt.TryGetValue(cid, out var landed))
                {
                    if (Environment.TickCount64 - landed < LandingGrace.TotalMilliseconds) continue;
                    _landedAt.TryRemove(cid, out _);
                }
                File.Delete(BlockPath(cid));
                _sizes.TryRemove(cid, out _);
            }
            return Usage();
        }
        finally
        {
            _collecting.Release();
        }
    }

    public Task<StoreUsage> UsageAsync(CancellationToken cancellationToken) => Task.FromResult(Usage());

    private StoreUsage Usage()
    {
        long bytes = 0, blocks = 0, pinnedBytes = 0, pinnedBlocks = 0;
        foreach (var (cid, size) in _sizes)
        {
            bytes += size;
            blocks++;
            if (!_pinned.ContainsKey(cid)) continue;
            pinnedBytes += size;
            pinnedBlocks++;
        }
        return new StoreUsage(bytes, blocks, pinnedBytes, pinnedBlocks);
    }

    private async Task<byte[]?> TryReadLocalAsync(Cid cid, CancellationToken cancellationToken)
    {
        if (!_sizes.ContainsKey(cid)) return null;
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(BlockPath(cid), cancellationToken);
        }
        catch (FileNotFoundException)
        {
            _sizes.TryRemove(cid, out _); // collected in the meantime
            return null;
        }
        if (cid.Matches(bytes)) return bytes;
        File.Delete(BlockPath(cid));
        _sizes.TryRemove(cid, out _);
        return null;
    }

    private async Task WriteBlockAsync(Cid cid, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (_sizes.ContainsKey(cid)) return;
        var temporary = Path.Combine(_blocks, $".{Guid.NewGuid():N}.tmp");
        try
        {
            await StoreFullException.GuardAsync($"block {cid}", async () =>
            {
                await File.WriteAllBytesAsync(temporary, content, cancellationToken);
                File.Move(temporary, BlockPath(cid), overwrite: true);
            });
        }
        finally
        {
            File.Delete(temporary); // a partial write (a full disk) frees its space at once; gone already after the move
        }
        _sizes[cid] = content.Length;
    }

    private string BlockPath(Cid cid) => Path.Combine(_blocks, cid.ToString());
}
