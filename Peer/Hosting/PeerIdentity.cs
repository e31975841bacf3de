using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Hosting;

/// <summary>The peer's key, created on first start and kept in its data directory so its id survives restarts.</summary>
public static class PeerIdentity
{
    public static PeerKey LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(Directory.CreateDirectory(dataDirectory).FullName, "peer.key");
        if (File.Exists(path))
            return PeerKey.Import(File.ReadAllBytes(path));
        var key = PeerKey.Create();
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, key.ExportPkcs8());
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: false);
        return key;
    }
}
