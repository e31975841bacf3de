using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Hosting;

/// <summary>The peer's key, created on first start and kept in its data directory so its id survives restarts.</summary>
public static class PeerIdentity
{
    public static PeerKey LoadOrCreate(string dataDirectory)
    {
        var directory = Directory.CreateDirectory(dataDirectory).FullName;
        AtomicFile.CleanTemporaries(directory);
        var path = Path.Combine(directory, "peer.key");
        if (File.Exists(path))
            return PeerKey.Import(File.ReadAllBytes(path));
        var key = PeerKey.Create();
        AtomicFile.WriteAsync(path, key.ExportPkcs8(), CancellationToken.None, UnixFileMode.UserRead | UnixFileMode.UserWrite).GetAwaiter().GetResult();
        return key;
    }
}
