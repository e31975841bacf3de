using MlAspire.Storage.Content;

namespace MlAspire.Integration.Tests;

/// <summary>What a test can check of a running or killed peer's embedded store from outside, tolerant of its writes and collections in progress.</summary>
public static class StoreFiles
{
    /// <summary>Blocks whose bytes no longer hash to their name (a block collected or being written meanwhile is skipped).</summary>
    public static List<string> DamagedBlocks(string storeDirectory)
    {
        var damaged = new List<string>();
        foreach (var block in Directory.GetFiles(Path.Combine(storeDirectory, "blocks")))
        {
            if (!Cid.TryParse(Path.GetFileName(block), out var cid, out _)) continue; // a temporary file: a write in progress
            try
            {
                if (!cid.Matches(File.ReadAllBytes(block)))
                    damaged.Add(block);
            }
            catch (FileNotFoundException)
            {
                // Collected since it was listed.
            }
        }
        return damaged;
    }

    /// <summary>Temporary files under <paramref name="directory"/> older than <paramref name="age"/>: left by a failed or killed write, not one in progress.</summary>
    public static List<string> StaleTemporaries(string directory, TimeSpan age) =>
        [.. Directory.EnumerateFiles(directory, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories)
            .Where(file => File.Exists(file) && File.GetLastWriteTimeUtc(file) < DateTime.UtcNow - age)];
}
