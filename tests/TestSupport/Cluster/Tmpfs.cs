namespace MlAspire.Integration.Tests;

/// <summary>
/// A small tmpfs mounted on a fresh folder, for a process's data directory in disk-full tests: <see cref="Fill"/> takes
/// every free byte, <see cref="Free"/> gives it back. Needs root; unmounted and removed on dispose.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    private const string Filler = ".filler";

    private Tmpfs(long bytes)
    {
        Path = Directory.CreateTempSubdirectory("mlaspire-tmpfs-").FullName;
        SystemCommand.Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", Path);
    }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/>; fails clearly when not root.</summary>
    public static Tmpfs Mount(long bytes) =>
        Environment.UserName == "root" ? new Tmpfs(bytes) : throw new InvalidOperationException("Disk-full tests mount a tmpfs: run them as root (CI does).");

    public string Path { get; }

    /// <summary>Free bytes left in the file system.</summary>
    public long Available => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a filler file until the file system refuses another byte; returns its size.</summary>
    public long Fill()
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, Filler), FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        foreach (var chunk in new[] { 1 << 20, 4096, 1 })
        {
            var bytes = new byte[chunk];
            try
            {
                while (true)
                    filler.Write(bytes);
            }
            catch (IOException)
            {
                // Full at this chunk size: go on with a smaller one.
            }
        }
        return filler.Length;
    }

    /// <summary>Deletes the filler: the space it took is free again.</summary>
    public void Free() => File.Delete(System.IO.Path.Combine(Path, Filler));

    public void Dispose()
    {
        SystemCommand.TryRun("umount", "-l", Path);
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Still mounted (a process kept a file open): the lazy unmount detaches it when that process exits.
        }
    }
}
