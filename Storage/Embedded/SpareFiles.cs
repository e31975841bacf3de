using System.Numerics;

namespace MlAspire.Storage.Embedded;

/// <summary>
/// Files of collected blocks, kept in <c>spare/</c> to be overwritten by the next blocks of about their size instead of
/// being deleted, as RocksDB recycles its log files. A store that creates a file for each arriving block and deletes one
/// for each collected block makes the file system allocate and free an inode every time; on ext4 without a journal,
/// allocating one scans past every inode freed in the last minutes (<c>recently_deleted</c>), so that creating a file
/// cost 0.85 ms of CPU on this project's test machine where overwriting a spare costs under 0.1 ms (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// Spares are bounded by <see cref="MaxFiles"/> and by a share of the bytes of the blocks that stay
/// (<see cref="BytesAllowed"/>), and count in the store's usage. Each collection trims them first (<see cref="Trim"/>): a
/// spare still unused after a whole interval between two collections is deleted, so a size no longer written does not
/// hold the pool, and so is what exceeds the share (all of them once the store is empty).
/// </remarks>
internal sealed class SpareFiles
{
    public const int MaxFiles = 1024;

    /// <summary>
    /// Spares may hold this share of the bytes the blocks hold (a quarter): enough for a collection's batch of released
    /// weights at the default horizon (30 s of a 50-peer network's, 60 MB against 400 MB of weights held), little in a small store.
    /// </summary>
    public const int ShareOfBlocks = 4;

    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Stack<Spare>> _bySizeClass = [];
    private long _bytes;
    private int _count;
    private int _generation; // collections so far; a spare remembers the one that kept it

    public SpareFiles(string directory)
    {
        _directory = Directory.CreateDirectory(directory).FullName;
        foreach (var file in Directory.EnumerateFiles(_directory))
            Add(new Spare(file, new FileInfo(file).Length, -1)); // a restart keeps them until its first collection
    }

    public long Bytes
    {
        get { lock (_lock) return _bytes; }
    }

    public static long BytesAllowed(long blockBytes) => blockBytes / ShareOfBlocks;

    /// <summary>
    /// At the start of a collection that leaves <paramref name="blockBytes"/> held: deletes the spares kept before the
    /// previous collection (unused through the whole interval since), then the oldest of the rest until they fit
    /// <see cref="BytesAllowed"/>.
    /// </summary>
    public void Trim(long blockBytes)
    {
        var allowed = BytesAllowed(blockBytes);
        Delete(oldestFirst =>
        {
            var bytes = oldestFirst.Sum(spare => spare.Size);
            var count = oldestFirst.TakeWhile(spare =>
            {
                if (spare.Generation >= _generation && bytes <= allowed) return false;
                bytes -= spare.Size;
                return true;
            }).Count();
            _generation++;
            return count;
        });
    }

    /// <summary>Moves the collected block's file at <paramref name="path"/> in as a spare, or deletes it when the spares are full.</summary>
    public void Keep(string path, long size, long blockBytes)
    {
        Spare? spare = null;
        lock (_lock)
        {
            if (_count < MaxFiles && _bytes + size <= BytesAllowed(blockBytes) && size > 0)
                spare = new Spare(Path.Combine(_directory, Guid.NewGuid().ToString("N")), size, _generation);
        }
        if (spare is null)
        {
            File.Delete(path);
            return;
        }
        try
        {
            File.Move(path, spare.Path);
        }
        catch (FileNotFoundException)
        {
            return; // gone already
        }
        catch (IOException)
        {
            File.Delete(path); // could not be moved (no room for the folder's entry): freed as before spares
            return;
        }
        Add(spare);
    }

    /// <summary>
    /// A new file at <paramref name="path"/> opened for writing <paramref name="length"/> bytes: a spare of about that size
    /// renamed there when one is kept (its old bytes still in it: the caller overwrites them and cuts it to length), else
    /// created.
    /// </summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle OpenForOverwrite(string path, int length, out long previousLength)
    {
        while (TakeOfSize(length) is { } spare)
        {
            try
            {
                File.Move(spare.Path, path);
                previousLength = spare.Size;
                return File.OpenHandle(path, FileMode.Open, FileAccess.Write);
            }
            catch (FileNotFoundException)
            {
                // Deleted behind the store's back: the next spare, or a new file.
            }
            catch (IOException)
            {
                File.Delete(spare.Path); // not to be left on disk uncounted
                File.Delete(path);
            }
        }
        previousLength = 0;
        return File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
    }

    /// <summary>Deletes every spare (a full disk needs their space); returns how many there were.</summary>
    public int Clear() => Delete(oldestFirst => oldestFirst.Count);

    /// <summary>
    /// Deletes the oldest spares, as many as <paramref name="howMany"/> says (called under the lock, with all of them
    /// oldest first); returns how many it deleted. The files go once the lock is released.
    /// </summary>
    private int Delete(Func<IReadOnlyList<Spare>, int> howMany)
    {
        List<Spare> deleted;
        lock (_lock)
        {
            var oldestFirst = _bySizeClass.Values.SelectMany(stack => stack).OrderBy(spare => spare.Generation).ToList();
            var count = howMany(oldestFirst);
            deleted = oldestFirst[..count];
            _bySizeClass.Clear();
            (_bytes, _count) = (0, 0);
            foreach (var spare in oldestFirst[count..])
                AddLocked(spare);
        }
        foreach (var spare in deleted)
            File.Delete(spare.Path);
        return deleted.Count;
    }

    private Spare? TakeOfSize(int length)
    {
        lock (_lock)
        {
            if (!_bySizeClass.TryGetValue(SizeClass(length), out var stack) || !stack.TryPop(out var spare))
                return null;
            _bytes -= spare.Size;
            _count--;
            return spare;
        }
    }

    private void Add(Spare spare)
    {
        lock (_lock)
            AddLocked(spare);
    }

    private void AddLocked(Spare spare)
    {
        var sizeClass = SizeClass(spare.Size);
        if (!_bySizeClass.TryGetValue(sizeClass, out var stack))
            _bySizeClass[sizeClass] = stack = new Stack<Spare>();
        stack.Push(spare);
        _bytes += spare.Size;
        _count++;
    }

    /// <summary>Sizes within a factor of two share a class: a spare is reused for a block of its class, so it grows or shrinks by less than half.</summary>
    private static int SizeClass(long size) => size <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)(size - 1));

    /// <param name="Generation">The collection it was kept in.</param>
    private sealed record Spare(string Path, long Size, int Generation);
}
