using System.Collections.Concurrent;
using System.IO.Hashing;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Embedded;

/// <summary>
/// The embedded store's blocks on disk: <c>blocks/CID</c> holds each block's bytes, <c>spare/</c> the files of collected
/// blocks that the next blocks overwrite (<see cref="SpareFiles"/>). Writes go to a temporary file and are renamed into
/// place, so a crash never leaves a partial block under a CID; a temporary file a crash left is deleted on opening. A
/// block whose bytes no longer hash to its name (disk corruption) is deleted on read, so that it is fetched again. A
/// block is hashed once per process: when it is written (its bytes were checked on their way in) or at its first read
/// after opening, not every time it is served; every later read is checked against a fingerprint taken then
/// (XxHash3 with a seed drawn per process, which no sender knows), so that the bytes of a recycled file are not served
/// for the block whose file it was.
/// </summary>
internal sealed class BlockFolder
{
    private readonly string _blocks;
    private readonly ConcurrentDictionary<Cid, Held> _held = new();
    private readonly SpareFiles _spares;

    public BlockFolder(string storeDirectory)
    {
        _blocks = Directory.CreateDirectory(Path.Combine(storeDirectory, "blocks")).FullName;
        foreach (var file in Directory.EnumerateFiles(_blocks))
        {
            if (Cid.TryParse(Path.GetFileName(file), out var cid, out _))
                _held[cid] = new Held(new FileInfo(file).Length, Fingerprint: null);
            else
                File.Delete(file); // a temporary file left by a crash mid-write
        }
        _spares = new SpareFiles(Path.Combine(storeDirectory, "spare"));
    }

    public bool Contains(Cid cid) => _held.ContainsKey(cid);

    /// <summary>Every block held, with its size.</summary>
    public IEnumerable<(Cid Cid, long Size)> Blocks => _held.Select(entry => (entry.Key, entry.Value.Size));

    /// <summary>What the spares hold on disk besides the blocks.</summary>
    public long SpareBytes => _spares.Bytes;

    /// <remarks>Synchronous: a block is at most 1 MiB, which the page cache takes at once; an asynchronous open costs more.</remarks>
    /// <exception cref="StoreFullException">No space left on the disk, the spares' included.</exception>
    public void Write(Cid cid, ReadOnlySpan<byte> content)
    {
        if (_held.ContainsKey(cid)) return;
        var temporary = Path.Combine(_blocks, $".{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
        try
        {
            try
            {
                WriteFile(temporary, content);
            }
            catch (IOException e) when (StoreFullException.IsDiskFull(e))
            {
                File.Delete(temporary);
                if (_spares.Clear() == 0)
                    throw;
                WriteFile(temporary, content); // the spares' space may be what it lacked
            }
            File.Move(temporary, BlockPath(cid), overwrite: true);
        }
        catch (IOException e)
        {
            File.Delete(temporary); // a partial write (a full disk) frees its space at once
            if (StoreFullException.IsDiskFull(e))
                throw new StoreFullException($"No space left to store block {cid}: {e.Message}", e);
            throw;
        }
        _held[cid] = new Held(content.Length, Fingerprint(content)); // written from bytes known to hash to it
    }

    /// <summary>The block's bytes; null when not held, collected meanwhile, or damaged (then deleted).</summary>
    public byte[]? TryRead(Cid cid) =>
        ReadChecked(cid, expected =>
        {
            var bytes = File.ReadAllBytes(BlockPath(cid));
            return Verify(cid, expected, bytes) ? bytes : null;
        });

    /// <summary>The block's bytes in a rented buffer (<see cref="TryRead"/> otherwise).</summary>
    public BlockLease? TryLend(Cid cid) =>
        ReadChecked(cid, expected => expected.Size > int.MaxValue
            ? null
            : BlockLease.Rent((int)expected.Size, buffer => ReadWhole(cid, buffer.Span) && Verify(cid, expected, buffer.Span)));

    /// <summary>At the start of a collection that leaves <paramref name="blockBytes"/> held (<see cref="SpareFiles.Trim"/>).</summary>
    public void TrimSpares(long blockBytes) => _spares.Trim(blockBytes);

    /// <summary>Deletes every spare, for a full disk; returns how many there were.</summary>
    public int ClearSpares() => _spares.Clear();

    /// <summary>Takes the block away: its file becomes a spare, or is deleted when the spares are full for <paramref name="blockBytes"/> held.</summary>
    public void Collect(Cid cid, long blockBytes)
    {
        if (!_held.TryGetValue(cid, out var held)) return;
        _spares.Keep(BlockPath(cid), held.Size, blockBytes);
        _held.TryRemove(cid, out _);
    }

    /// <summary>Writes <paramref name="content"/> to a new file: a spare's, overwritten, when one of about its size is kept.</summary>
    private void WriteFile(string path, ReadOnlySpan<byte> content)
    {
        using var file = _spares.OpenForOverwrite(path, content.Length, out var previousLength);
        RandomAccess.Write(file, content, 0);
        if (previousLength > content.Length)
            RandomAccess.SetLength(file, content.Length);
    }

    private bool ReadWhole(Cid cid, Span<byte> buffer)
    {
        using var file = File.OpenHandle(BlockPath(cid));
        return RandomAccess.Read(file, buffer, 0) == buffer.Length;
    }

    /// <summary>
    /// <paramref name="read"/>'s result, read once more when it was not the block: the file read may have been collected
    /// and recycled under the reader (its name then leads to nothing, or to the block written again). A second failure is
    /// damage: the block is deleted and forgotten.
    /// </summary>
    private T? ReadChecked<T>(Cid cid, Func<Held, T?> read) where T : class
    {
        if (!_held.TryGetValue(cid, out var held)) return null;
        try
        {
            if (read(held) is { } first) return first;
            if (!_held.TryGetValue(cid, out held)) return null; // collected meanwhile
            if (read(held) is { } second) return second;
            // Forgotten only as read: a block written again meanwhile is another entry, and its file stays.
            if (_held.TryRemove(KeyValuePair.Create(cid, held)))
                File.Delete(BlockPath(cid));
        }
        catch (FileNotFoundException)
        {
            _held.TryRemove(KeyValuePair.Create(cid, held)); // collected meanwhile
        }
        return null;
    }

    /// <summary>
    /// Whether the bytes read for a held block are the block: hashed at the first read since opening only, and checked
    /// against the fingerprint taken then after that.
    /// </summary>
    private bool Verify(Cid cid, Held held, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != held.Size) return false;
        if (held.Fingerprint is { } fingerprint) return Fingerprint(bytes) == fingerprint;
        if (!cid.Matches(bytes)) return false;
        _held.TryUpdate(cid, held with { Fingerprint = Fingerprint(bytes) }, held);
        return true;
    }

    /// <summary>Seeded per process: a sender cannot make a block whose fingerprint is another's here.</summary>
    private static readonly long FingerprintSeed = Random.Shared.NextInt64();

    private static ulong Fingerprint(ReadOnlySpan<byte> bytes) => XxHash3.HashToUInt64(bytes, FingerprintSeed);

    private string BlockPath(Cid cid) => Path.Combine(_blocks, cid.ToString());

    /// <summary>A block on disk: its size, and the fingerprint of its bytes once this process has seen them hash to its name.</summary>
    private readonly record struct Held(long Size, ulong? Fingerprint);
}
