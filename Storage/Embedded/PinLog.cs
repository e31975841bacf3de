using System.Text;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Embedded;

/// <summary>
/// The embedded store's pins: a set in memory, and on disk an append-only log (<see cref="FileName"/>, one <c>+CID</c> or
/// <c>-CID</c> per line) that rebuilds it on start. Appending a line is one write; creating and deleting an empty marker
/// file per pin, as the store did before, was the costliest step of taking in a transaction (<c>open</c> with
/// <c>O_CREAT</c> led the profile). Once the log holds more than twice as many lines as there are pins (and at least
/// <see cref="CompactAbove"/>), it is rewritten from memory, atomically, so it stays proportional to the pins.
/// </summary>
/// <remarks>
/// A crash can tear the last line, which is then skipped: at most the last pin or unpin is lost. A lost pin leaves its
/// block to the next garbage collection (the transaction is fetched again when needed); a lost unpin keeps a block too
/// long. A failed append (a full disk) changes nothing in memory and has the log rewritten whole on the next change, so a
/// torn line never merges with the next one.
/// </remarks>
public sealed class PinLog : IDisposable
{
    public const string FileName = "pins.log";

    /// <summary>Lines the log may hold before a rewrite, however few the pins.</summary>
    public const int CompactAbove = 4096;

    private readonly Lock _lock = new();
    private readonly HashSet<Cid> _pinned = [];
    private readonly string _path;
    private FileStream _log;
    private int _lines;
    private bool _torn;

    /// <param name="directory">Where the log lives; a <c>pins</c> folder of marker files there (the old layout) is taken in and removed.</param>
    public PinLog(string directory)
    {
        _path = Path.Combine(directory, FileName);
        AtomicFile.CleanTemporaries(directory);
        if (File.Exists(_path))
            foreach (var line in File.ReadLines(_path))
                if (line.Length > 1 && Cid.TryParse(line[1..], out var cid, out _))
                    _ = line[0] switch { '+' => _pinned.Add(cid), '-' => _pinned.Remove(cid), _ => false };
        var markers = Path.Combine(directory, "pins");
        if (Directory.Exists(markers))
            foreach (var file in Directory.EnumerateFiles(markers))
                if (Cid.TryParse(Path.GetFileName(file), out var cid, out _))
                    _pinned.Add(cid);
        Rewrite(_pinned);
        _log = OpenForAppend();
        if (Directory.Exists(markers))
            Directory.Delete(markers, recursive: true); // only once the log holds them
    }

    public int Count
    {
        get
        {
            lock (_lock)
                return _pinned.Count;
        }
    }

    public bool Contains(Cid cid)
    {
        lock (_lock)
            return _pinned.Contains(cid);
    }

    /// <summary>Pins <paramref name="cid"/>; false when it was pinned already.</summary>
    /// <exception cref="StoreFullException">No room for the line: nothing changed.</exception>
    public bool Add(Cid cid) => Change(cid, pin: true);

    /// <summary>Unpins <paramref name="cid"/>; false when it was not pinned.</summary>
    public bool Remove(Cid cid) => Change(cid, pin: false);

    public List<Cid> ToList()
    {
        lock (_lock)
            return [.. _pinned];
    }

    private bool Change(Cid cid, bool pin)
    {
        lock (_lock)
        {
            if (_pinned.Contains(cid) == pin)
                return false;
            if (_torn || _lines >= Math.Max(CompactAbove, 2 * _pinned.Count))
            {
                var next = new HashSet<Cid>(_pinned);
                if (pin) next.Add(cid);
                else next.Remove(cid);
                Rewrite(next);
                _log.Dispose();
                _log = OpenForAppend();
            }
            else
                Append($"{(pin ? '+' : '-')}{cid}\n");
            if (pin) _pinned.Add(cid);
            else _pinned.Remove(cid);
            return true;
        }
    }

    // Called under _lock (or from the constructor).
    private void Append(string line)
    {
        try
        {
            _log.Write(Encoding.ASCII.GetBytes(line));
            _log.Flush(); // to the operating system: a killed process loses nothing, a power cut at most the newest lines
            _lines++;
        }
        catch (IOException e)
        {
            _torn = true;
            if (StoreFullException.IsDiskFull(e))
                throw new StoreFullException($"No space left to record a pin: {e.Message}", e);
            throw;
        }
    }

    // Called under _lock (or from the constructor); on failure the old log stays, and so does everything in memory.
    private void Rewrite(IReadOnlyCollection<Cid> pins)
    {
        StoreFullException.Guard("the pin log", () => AtomicFile.Write(_path, stream =>
        {
            using var writer = new StreamWriter(stream, Encoding.ASCII, leaveOpen: true);
            foreach (var cid in pins)
            {
                writer.Write('+');
                writer.Write(cid.ToString());
                writer.Write('\n');
            }
        }));
        (_lines, _torn) = (pins.Count, false);
    }

    private FileStream OpenForAppend() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);

    public void Dispose()
    {
        lock (_lock)
            _log.Dispose();
    }
}
