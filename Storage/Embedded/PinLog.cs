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
/// A full disk must never keep the store from freeing space: a failed append is cut off again (truncating needs no
/// space), and an unpin holds in memory even when its line cannot be written; the log catches up at the next rewrite
/// that succeeds. A pin whose line cannot be written fails, and nothing changes. A crash can tear the last line, which is
/// then skipped: at most the last change is lost (a lost pin leaves its block to garbage collection; a lost unpin keeps a
/// block until the next rewrite).
/// </remarks>
public sealed class PinLog : IDisposable
{
    public const string FileName = "pins.log";

    /// <summary>Lines the log may hold before a rewrite, however few the pins.</summary>
    public const int CompactAbove = 4096;

    private readonly Lock _lock = new();
    private readonly HashSet<Cid> _pinned = [];
    private readonly string _path;
    private FileStream _log = null!; // set by the constructor, directly or by its rewrite
    private int _lines;
    private long _length; // the log's length after its last whole line
    private bool _rewriteDue; // the file lacks a change memory has, or its tail may be torn
    private bool _newlineDue; // the file ends in a torn line

    /// <param name="directory">Where the log lives; a <c>pins</c> folder of marker files there (the old layout) is taken in and removed.</param>
    public PinLog(string directory)
    {
        _path = Path.Combine(directory, FileName);
        AtomicFile.CleanTemporaries(directory);
        var clean = true;
        if (File.Exists(_path))
            foreach (var line in File.ReadLines(_path))
            {
                _lines++;
                if (line.Length > 1 && line[0] is '+' or '-' && Cid.TryParse(line[1..], out var cid, out _))
                    _ = line[0] == '+' ? _pinned.Add(cid) : _pinned.Remove(cid);
                else
                    clean = false;
            }
        var markers = Path.Combine(directory, "pins");
        var legacy = Directory.Exists(markers);
        if (legacy)
            foreach (var file in Directory.EnumerateFiles(markers))
                if (Cid.TryParse(Path.GetFileName(file), out var cid, out _))
                    _pinned.Add(cid);
        _rewriteDue = !clean || legacy || _lines >= Threshold;
        // On a full disk the rewrite fails, the old log stays, and the peer still starts.
        if (!_rewriteDue || !TryRewrite(_pinned))
        {
            _log = OpenForAppend();
            _length = _log.Length;
            _newlineDue = _length > 0 && LastByte() != '\n'; // a torn tail: the next line must not continue it
        }
        if (legacy && !_rewriteDue)
            Directory.Delete(markers, recursive: true); // only once the log holds them
    }

    private int Threshold => Math.Max(CompactAbove, 2 * _pinned.Count);

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

    /// <summary>Unpins <paramref name="cid"/>; false when it was not pinned. Never fails for lack of space.</summary>
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
            var logged = false;
            if (_rewriteDue || _lines >= Threshold)
            {
                var next = new HashSet<Cid>(_pinned);
                if (pin) next.Add(cid);
                else next.Remove(cid);
                logged = TryRewrite(next);
            }
            if (!logged)
            {
                try
                {
                    Append($"{(pin ? '+' : '-')}{cid}\n");
                }
                catch (IOException) when (!pin)
                {
                    _rewriteDue = true; // the unpin holds in memory; the file learns it at the next rewrite
                }
            }
            if (pin) _pinned.Add(cid);
            else _pinned.Remove(cid);
            return true;
        }
    }

    // Called under _lock.
    private void Append(string line)
    {
        if (_newlineDue)
            line = "\n" + line;
        try
        {
            _log.Write(Encoding.ASCII.GetBytes(line));
            (_length, _lines, _newlineDue) = (_length + line.Length, _lines + 1, false);
        }
        catch (IOException e)
        {
            try
            {
                _log.SetLength(_length); // cut off what part of the line got written: needs no space
            }
            catch (IOException)
            {
                (_rewriteDue, _newlineDue) = (true, true);
            }
            if (StoreFullException.IsDiskFull(e))
                throw new StoreFullException($"No space left to record a pin: {e.Message}", e);
            throw;
        }
    }

    /// <summary>Replaces the log with <paramref name="pins"/>; false (the old log kept, a rewrite still due) when that fails.</summary>
    /// <remarks>Called under _lock, or from the constructor before the log is opened.</remarks>
    private bool TryRewrite(IReadOnlyCollection<Cid> pins)
    {
        FileStream reopened;
        try
        {
            AtomicFile.Write(_path, stream =>
            {
                using var writer = new StreamWriter(stream, Encoding.ASCII, leaveOpen: true);
                foreach (var cid in pins)
                {
                    writer.Write('+');
                    writer.Write(cid.ToString());
                    writer.Write('\n');
                }
            });
            reopened = OpenForAppend(); // before the old handle goes: a failure here leaves that one working
        }
        catch (IOException)
        {
            _rewriteDue = true;
            return false;
        }
        _log?.Dispose();
        (_log, _length, _lines, _rewriteDue, _newlineDue) = (reopened, reopened.Length, pins.Count, false, false);
        return true;
    }

    private int LastByte()
    {
        using var file = File.OpenRead(_path);
        file.Seek(-1, SeekOrigin.End);
        return file.ReadByte();
    }

    private FileStream OpenForAppend() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);

    public void Dispose()
    {
        lock (_lock)
            _log.Dispose();
    }
}
