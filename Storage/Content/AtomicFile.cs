using System.Runtime.InteropServices;

namespace MlAspire.Storage.Content;

/// <summary>
/// Replaces a file whole or not at all: the content goes to a temporary file in the same folder, is flushed to disk,
/// and is renamed over the target (atomic on POSIX file systems). A crash at any instant leaves the old file or the new
/// one, never a mix, never none; what it leaves behind is a temporary file, which <see cref="CleanTemporaries"/> removes.
/// The folder is flushed after the rename too, so the new name survives a power loss, not only a crash.
/// </summary>
public static class AtomicFile
{
    public const string TemporarySuffix = ".tmp";

    public static async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken, UnixFileMode? mode = null)
    {
        var temporary = TemporaryFor(path);
        try
        {
            await using (var stream = new FileStream(temporary, Options(mode, FileOptions.Asynchronous)))
            {
                await write(stream);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            Commit(temporary, path);
        }
        finally
        {
            File.Delete(temporary); // gone already after a successful move
        }
    }

    /// <summary><see cref="WriteAsync(string, Func{Stream, Task}, CancellationToken, UnixFileMode?)"/> for a caller that holds a lock.</summary>
    public static void Write(string path, Action<Stream> write, UnixFileMode? mode = null)
    {
        var temporary = TemporaryFor(path);
        try
        {
            using (var stream = new FileStream(temporary, Options(mode, FileOptions.None)))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Commit(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string TemporaryFor(string path) => $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";

    private static FileStreamOptions Options(UnixFileMode? mode, FileOptions options)
    {
        var created = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = options };
        if (mode is { } unixMode && !OperatingSystem.IsWindows())
            created.UnixCreateMode = unixMode;
        return created;
    }

    private static void Commit(string temporary, string path)
    {
        File.Move(temporary, path, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken, UnixFileMode? mode = null) =>
        WriteAsync(path, async stream => await stream.WriteAsync(content, cancellationToken), cancellationToken, mode);

    /// <summary>fsync on the folder: a rename is durable only once the folder's entry is (POSIX; nothing to do on Windows).</summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var descriptor = Open(directory, 0 /* O_RDONLY */);
        if (descriptor < 0) return; // best effort: the file itself is already flushed
        try
        {
            Fsync(descriptor);
        }
        finally
        {
            Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int descriptor);

    /// <summary>Deletes the temporary files a crash mid-write left in <paramref name="directory"/>.</summary>
    public static void CleanTemporaries(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*" + TemporarySuffix))
            File.Delete(file);
    }
}
