using System.Collections.Concurrent;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Embedded;

/// <summary>
/// Content-addressed blocks on local disk, for machines without an IPFS node: the same CIDs, pins and garbage
/// collection, and blocks it lacks fetched from neighbours through an <see cref="IBlockSource"/>.
/// </summary>
/// <remarks>
/// Layout: the blocks' files (<see cref="BlockFolder"/>: <c>blocks/CID</c> and <c>spare/</c>), and <see cref="PinLog"/>
/// (<c>pins.log</c>) the pins. A damaged block is deleted on read and refetched. A pin
/// is recorded before its block is written, so garbage collection running concurrently can never delete a block that
/// is being stored pinned. A block fetched from a neighbour is written unpinned (the caller pins it once the
/// transaction checks out) and is spared by garbage collection for <see cref="LandingGrace"/> meanwhile.
/// </remarks>
public sealed class EmbeddedContentStore : IContentStore, IDisposable
{
    private readonly BlockFolder _blocks;
    private readonly PinLog _pins;
    private readonly IBlockSource? _network;
    private readonly ConcurrentDictionary<Cid, long> _landedAt = new(); // fetched, not yet pinned: Environment.TickCount64
    private readonly SemaphoreSlim _collecting = new(1, 1);

    /// <summary>How long a fetched block waits for its pin before garbage collection may take it.</summary>
    public static readonly TimeSpan LandingGrace = TimeSpan.FromMinutes(2);

    public EmbeddedContentStore(string directory, IBlockSource? network = null)
    {
        _blocks = new BlockFolder(directory);
        _network = network;
        // After the temporary files a crash left are gone: on a full disk their space may be what the pin log needs.
        _pins = new PinLog(Directory.CreateDirectory(directory).FullName);
    }

    public string Kind => "embedded";

    public async Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var cid = Cid.Compute(codec, content.Span);
        var pinnedHere = Pin(cid);
        try
        {
            _blocks.Write(cid, content.Span);
        }
        catch when (pinnedHere)
        {
            _pins.Remove(cid); // no pin left behind for a block that is not here
            throw;
        }
        return cid;
    }

    public async Task<byte[]> GetAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null)
    {
        if (_blocks.TryRead(cid) is { } local)
            return local;
        if (_network is null)
            throw new TimeoutException($"Block {cid} is not stored here and no neighbour is configured.");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        VerifiedBlock? fetched;
        try
        {
            fetched = await _network.TryFetchAsync(cid, preferredPeer, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            fetched = null;
        }
        if (fetched is null || !fetched.Cid.Equals(cid))
            throw new TimeoutException($"No neighbour supplied block {cid} within {timeout.TotalSeconds:F1} s.");
        if (!_pins.Contains(cid))
            _landedAt[cid] = Environment.TickCount64; // a block fetched pinned needs no grace: its pin keeps it, its unpin frees it
        _blocks.Write(cid, fetched.Bytes);
        return fetched.Bytes;
    }

    public async Task<byte[]> FetchPinnedAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null)
    {
        await PinAsync(cid, cancellationToken); // the pin first: garbage collection spares the block from the instant it lands
        return await GetAsync(cid, timeout, cancellationToken, preferredPeer);
    }

    public Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken) => Task.FromResult(_blocks.Contains(cid));

    public Task PinAsync(Cid cid, CancellationToken cancellationToken)
    {
        Pin(cid);
        return Task.CompletedTask;
    }

    /// <summary>Pins; returns whether this call did (false: it was pinned already).</summary>
    private bool Pin(Cid cid)
    {
        bool pinned;
        try
        {
            pinned = _pins.Add(cid);
        }
        catch (StoreFullException)
        {
            if (_blocks.ClearSpares() == 0)
                throw;
            pinned = _pins.Add(cid); // the spares' space may be what it lacked
        }
        // Only now, with the pin in place: cleared before it, a garbage collection in between could take the block.
        _landedAt.TryRemove(cid, out _);
        return pinned;
    }

    public Task UnpinAsync(Cid cid, CancellationToken cancellationToken)
    {
        _pins.Remove(cid);
        return Task.CompletedTask;
    }

    public Task<bool> IsPinnedAsync(Cid cid, CancellationToken cancellationToken) => Task.FromResult(_pins.Contains(cid));

    public Task<IReadOnlyCollection<Cid>> PinsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<Cid>>(_pins.ToList());

    public async Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        await _collecting.WaitAsync(cancellationToken);
        try
        {
            var blocks = _blocks.Blocks.ToList();
            var garbage = blocks.Where(block => IsGarbage(block.Cid)).ToList();
            var staying = blocks.Sum(block => block.Size) - garbage.Sum(block => block.Size);
            _blocks.TrimSpares(staying); // spares are sized on what stays: none once everything goes
            foreach (var (cid, _) in garbage)
                if (IsGarbage(cid)) // still: pinned meanwhile (the same weights arriving again), it stays
                    _blocks.Collect(cid, staying);
            return Usage();
        }
        finally
        {
            _collecting.Release();
        }
    }

    /// <summary>Unpinned, and past its landing grace when it was fetched unpinned.</summary>
    private bool IsGarbage(Cid cid)
    {
        if (_pins.Contains(cid)) return false;
        if (_landedAt.TryGetValue(cid, out var landed))
        {
            if (Environment.TickCount64 - landed < LandingGrace.TotalMilliseconds) return false;
            _landedAt.TryRemove(cid, out _);
        }
        return true;
    }

    public Task<StoreUsage> UsageAsync(CancellationToken cancellationToken) => Task.FromResult(Usage());

    private StoreUsage Usage()
    {
        long bytes = 0, blocks = 0, pinnedBytes = 0, pinnedBlocks = 0;
        foreach (var (cid, size) in _blocks.Blocks)
        {
            bytes += size;
            blocks++;
            if (!_pins.Contains(cid)) continue;
            pinnedBytes += size;
            pinnedBlocks++;
        }
        return new StoreUsage(bytes + _blocks.SpareBytes, blocks, pinnedBytes, pinnedBlocks); // spares are disk the store holds
    }

    public ValueTask<BlockLease?> LendLocalAsync(Cid cid, CancellationToken cancellationToken) => ValueTask.FromResult(_blocks.TryLend(cid));

    public void Dispose() => _pins.Dispose();
}
