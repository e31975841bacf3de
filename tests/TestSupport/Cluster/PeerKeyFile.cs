using MlAspire.Storage.Transactions;

namespace MlAspire.Integration.Tests;

/// <summary>A peer's id, read from the key it keeps in its data directory: calls to its TangleSync are addressed to it.</summary>
public static class PeerKeyFile
{
    /// <summary>A function returning the id once the peer has created its key (IOException before), read once.</summary>
    public static Func<string> Id(string dataDirectory)
    {
        string? id = null;
        return () => id ??= Read(dataDirectory);
    }

    private static string Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "peer.key");
        if (!File.Exists(path))
            throw new IOException($"The peer in {dataDirectory} has not created its key yet.");
        using var key = PeerKey.Import(File.ReadAllBytes(path));
        return key.Id;
    }
}
