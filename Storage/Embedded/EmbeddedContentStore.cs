using System.Collections.Concurrent;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Embedded;

/// <summary>
/// Content-addressed blocks on local disk, for machines without an IPFS node: the same CIDs, pins and garbage
/// collection, and blocks it lacks fetched from neighbours through an <see cref="IBlockSource"/>.
/// </summary>
/// <remarks>
/// Layout: <c>blocks/CID</c> holds the bytes, <see cref="PinLog"/> (<c>pins.log</c>) the pins. Writes go to a temporary file and are
/// renamed into place, so a crash never leaves a partial block under a CID; a block whose bytes no longer hash to its
/// name (disk corruption) is deleted on read and refetched. A block is hashed once per process: when it is written (its
/// bytes were checked on their way in) or at its first read after the store opens, not every time it is served. A pin
/// is recorded before its block is written, so garbage collection running concurrently can never delete a block that
/// is being stored pinned. A block fetched from a neighbour is written unpinned (the caller pins it once the
/// transaction checks out) and is spared by garbage collection for <see cref="LandingGrace"/> meanwhile.
/// </remarks>
public sealed class EmbeddedContentStore : IContentStore, IDisposable
{
    private readonly string _blocks;
    private readonly PinLog _pins;
    private readonly IBlockSource? _network;
    private readonly ConcurrentDictionary<Cid, Held> _held = new();
    private readonly ConcurrentDictionary<Cid, long> _landedAt = new(); // fetched, not yet pinned: Environment.TickCount64
    private readonly SemaphoreSlim _collecting = new(1, 1);

    /// <summary>How long a fetched block waits for its pin before garbage collection may take it.</summary>
    public static readonly TimeSpan LandingGrace = TimeSpan.FromMinutes(2);

    public EmbeddedContentStore(string directory, IBlockSource? network = null)
    {
        _blocks = Directory.CreateDirectory(Path.Combine(directory, "blocks")).FullName;
        _network = network;
        foreach (var file in Directory.EnumerateFiles(_blocks))
        {
            if (Cid.TryParse(Path.GetFileName(file), out var cid, out _))
                _held[cid] = new Held(new FileInfo(file).Length, Verified: false);
            else
                File.Delete(file); // a temporary file left by a crash mid-write
        }
        // After the leftovers above are gone: on a full disk their space may be what the pin log needs.
        _pins = new PinLog(Directory.CreateDirectory(directory).FullName);
    }

    public string Kind => "embedded";

    public async Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var cid = Cid.Compute(codec, content.Span);
        var pinnedHere = Pin(cid);
        try
        {
            WriteBlock(cid, content.Span);
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
        if (TryReadLocal(cid) is { } local)
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
        WriteBlock(cid, fetched.Bytes);
        return fetched.Bytes;
    }

    public async Task<byte[]> FetchPinnedAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null)
    {
        await PinAsync(cid, cancellationToken); // the pin first: garbage collection spares the block from the instant it lands
        return await GetAsync(cid, timeout, cancellationToken, preferredPeer);
    }

    public Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken) => Task.FromResult(_held.ContainsKey(cid));

    public Task PinAsync(Cid cid, CancellationToken cancellationToken)
    {
        Pin(cid);
        return Task.CompletedTask;
    }

    /// <summary>Pins; returns whether this call did (false: it was pinned already).</summary>
    private bool Pin(Cid cid)
    {
        var pinned = _pins.Add(cid);
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
            foreach (var cid in _held.Keys)
            {
                if (_pins.Contains(cid)) continue;
                if (_landedAt.TryGetValue(cid, out var landed))
                {
                    if (Environment.TickCount64 - landed < LandingGrace.TotalMilliseconds) continue;
                    _landedAt.TryRemove(cid, out _);
                }
                File.Delete(BlockPath(cid));
                _held.TryRemove(cid, out _);
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
        foreach (var (cid, (size, _)) in _held)
        {
            bytes += size;
            blocks++;
            if (!_pins.Contains(cid)) continue;
            pinnedBytes += size;
            pinnedBlocks++;
        }
        return new StoreUsage(bytes, blocks, pinnedBytes, pinnedBlocks);
    }

    public ValueTask<BlockLease?> LendLocalAsync(Cid cid, CancellationToken cancellationToken)
    {
        if (!_held.TryGetValue(cid, out var held) || held.Size > int.MaxValue) return ValueTask.FromResult<BlockLease?>(null);
        try
        {
            using var file = File.OpenHandle(BlockPath(cid));
            var lease = BlockLease.Rent((int)held.Size, buffer => RandomAccess.Read(file, buffer.Span, 0) == held.Size && Verify(cid, held, buffer.Span));
            if (lease is null)
                Forget(cid, corrupt: true);
            return ValueTask.FromResult(lease);
        }
        catch (FileNotFoundException)
        {
            Forget(cid, corrupt: false); // collected in the meantime
            return ValueTask.FromResult<BlockLease?>(null);
        }
    }

    private byte[]? TryReadLocal(Cid cid)
    {
        if (!_held.TryGetValue(cid, out var held)) return null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(BlockPath(cid));
        }
        catch (FileNotFoundException)
        {
            Forget(cid, corrupt: false); // collected in the meantime
            return null;
        }
        if (Verify(cid, held, bytes)) return bytes;
        Forget(cid, corrupt: true);
        return null;
    }

    /// <summary>Whether the bytes read for a held block are the block: hashed at the first read since the store opened only.</summary>
    private bool Verify(Cid cid, Held held, ReadOnlySpan<byte> bytes)
    {
        if (held.Verified) return bytes.Length == held.Size;
        if (!cid.Matches(bytes)) return false;
        _held.TryUpdate(cid, held with { Verified = true }, held);
        return true;
    }

    /// <summary>A block that is gone, or whose bytes no longer hash to its name (deleted, so it is fetched again).</summary>
    private void Forget(Cid cid, bool corrupt)
    {
        if (corrupt)
            File.Delete(BlockPath(cid));
        _held.TryRemove(cid, out _);
    }

    /// <remarks>Synchronous: a block is at most 1 MiB, which the page cache takes at once; an asynchronous open costs more.</remarks>
    private void WriteBlock(Cid cid, ReadOnlySpan<byte> content)
    {
        if (_held.ContainsKey(cid)) return;
        var temporary = Path.Combine(_blocks, $".{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, BlockPath(cid), overwrite: true);
        }
        catch (IOException e)
        {
            File.Delete(temporary); // a partial write (a full disk) frees its space at once
            if (StoreFullException.IsDiskFull(e))
                throw new StoreFullException($"No space left to store block {cid}: {e.Message}", e);
            throw;
        }
        _held[cid] = new Held(content.Length, Verified: true); // written from bytes known to hash to it
    }

    private string BlockPath(Cid cid) => Path.Combine(_blocks, cid.ToString());

    public void Dispose() => _pins.Dispose();

    /// <summary>A block on disk: its size, and whether this process has seen its bytes hash to its name.</summary>
    private readonly record struct Held(long Size, bool Verified);
}
