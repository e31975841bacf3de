using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MlAspire.AppHost;

/// <summary>
/// The AppHost's own settings, from the command line (<c>dotnet run --project AppHost -- --peers 6</c>) or the
/// environment (<c>peers=6</c>):
/// <list type="bullet">
/// <item><c>peers</c>: how many peers (default 4).</item>
/// <item><c>ipfs</c>: <c>auto</c> (default), <c>containers</c>, <c>js-ipfs</c> or <c>embedded</c>; see <see cref="IpfsChoice"/>.</item>
/// <item><c>model</c>: a named model such as <c>mlp</c>, or a model's layers (Bootstrap:Model:Architecture; Bootstrap's default when unset).</item>
/// <item><c>weight-precision</c>: <c>float32</c> or <c>float16</c>, how peers publish weights (Bootstrap:WeightPrecision).</item>
/// <item><c>training-interval</c>: a TimeSpan such as <c>00:00:00.500</c> (Bootstrap:Training:Interval).</item>
/// <item><c>state</c>: folder for the bootstrap's genesis, the peers' data and the js-ipfs repos (default: mlaspire under the temp folder).</item>
/// <item><c>ipfs-storage-max</c>: Datastore.StorageMax of every IPFS node (default 2GB; units as Kubo: kB, MB, GB, TB, KiB, MiB, GiB, TiB).</item>
/// <item><c>native-peers</c>: unset, each peer runs its native program (<c>tools/native/publish.sh</c>, run first when the program is stale) where this machine can publish it, else <c>dotnet Peer.dll</c>; <c>true</c> or <c>false</c> insists (<see cref="PeerProgram"/>).</item>
/// <item><c>peer-data</c>: a folder with one dataset folder per peer that brings its own (<c>peer-1</c>, <c>peer-2</c>, …; Peer:LocalData); the others train on their Bootstrap data slot.</item>
/// </list>
/// </summary>
internal sealed record TopologySettings(
    int Peers, string? Model, TimeSpan? TrainingInterval, string StateDirectory, string IpfsStorageMax, string? PeerDataRoot = null,
    string? WeightPrecision = null, bool? NativePeers = null)
{
    public static TopologySettings From(IConfiguration configuration)
    {
        var peers = configuration.GetValue("peers", 4);
        if (peers < 1)
            throw new InvalidOperationException($"'peers' must be at least 1 (got {peers}).");

        // Any named model or layers: the Bootstrap checks it at start and says what is wrong.
        var model = configuration["model"] is { Length: > 0 } named ? named.Trim() : null;

        var precision = configuration["weight-precision"]?.Trim().ToLowerInvariant();
        if (precision is not (null or "float32" or "float16"))
            throw new InvalidOperationException($"'weight-precision' is '{precision}'; expected 'float32' or 'float16'.");

        TimeSpan? interval = null;
        if (configuration["training-interval"] is { Length: > 0 } text)
        {
            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) || parsed <= TimeSpan.Zero)
                throw new InvalidOperationException($"'training-interval' is '{text}'; expected a positive TimeSpan such as 00:00:05.");
            interval = parsed;
        }

        var state = configuration["state"] is { Length: > 0 } folder
            ? Path.GetFullPath(folder)
            : Path.Combine(Path.GetTempPath(), "mlaspire");

        var storageMax = configuration["ipfs-storage-max"] ?? "2GB";
        if (StorageSize.Parse(storageMax) is not > 0)
            throw new InvalidOperationException($"'ipfs-storage-max' is '{storageMax}'; expected a size such as 2GB or 512MiB.");
        var peerData = configuration["peer-data"] is { Length: > 0 } root ? Path.GetFullPath(root) : null;
        if (peerData is not null && !Directory.Exists(peerData))
            throw new InvalidOperationException($"'peer-data' is '{peerData}', which is not a folder; expected one holding a dataset folder per peer (peer-1, peer-2, ...).");
        bool? native = configuration["native-peers"] is { Length: > 0 } flag
            ? bool.TryParse(flag, out var on) ? on : throw new InvalidOperationException($"'native-peers' is '{flag}'; expected true or false (or unset: native where it can be published).")
            : null;
        return new TopologySettings(peers, model, interval, state, storageMax, peerData, precision, native);
    }

    /// <summary>
    /// The store cap a peer's retention keeps to when it stores in an IPFS node: 80% of the node's StorageMax, below
    /// Kubo's GC watermark (90%), because pinned blocks are beyond the node's own garbage collector.
    /// </summary>
    public long PeerStorageCap => StorageSize.Parse(IpfsStorageMax)!.Value / 10 * 8;

    /// <summary>
    /// A peer's data directory (key, embedded store, replica log), named after its resource: distinct per peer, kept
    /// across runs with the bootstrap's genesis, and removed with the state folder (the tests use a temporary one).
    /// </summary>
    public string PeerDataDirectory(string peerName) => Path.Combine(StateDirectory, peerName);

    /// <summary>The peer's own dataset under <see cref="PeerDataRoot"/>, when it has one there.</summary>
    public string? OwnData(string peerName) =>
        PeerDataRoot is { } root && Directory.Exists(Path.Combine(root, peerName)) ? Path.Combine(root, peerName) : null;

    /// <summary>A js-ipfs node's repo.</summary>
    public string IpfsRepository(string nodeName) => Path.Combine(StateDirectory, "ipfs", nodeName);

    /// <summary>
    /// The bootstrap's data directory (signing key and genesis). One per model: a genesis is made for one model shape,
    /// and the bootstrap refuses to start on a genesis of another one.
    /// </summary>
    /// <summary>
    /// One genesis per model and precision, so switching either starts that tangle again instead of meeting a genesis
    /// made for another (which the Bootstrap refuses). Layers given as a description are named by their hash.
    /// </summary>
    public string BootstrapDataDirectory => Path.Combine(StateDirectory, string.Join('-',
        new[] { "bootstrap", ModelFolderName, WeightPrecision is "float16" ? "float16" : null }.OfType<string>()));

    private string ModelFolderName => Model switch
    {
        null => "default",
        _ when Model.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') => Model.ToLowerInvariant(),
        _ => "layers-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Model)))[..12],
    };
}

/// <summary>Sizes as Kubo's configuration writes them ("2GB", "512MiB", "10GB").</summary>
internal static class StorageSize
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("kB", 1000), ("KB", 1000), ("MB", 1000_000), ("GB", 1000_000_000), ("TB", 1000_000_000_000), ("B", 1),
    ];

    /// <summary>The size in bytes, or null when <paramref name="text"/> is not a size.</summary>
    public static long? Parse(string text)
    {
        text = text.Trim();
        foreach (var (suffix, factor) in Units)
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && decimal.TryParse(text[..^suffix.Length].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
                return (long)(amount * factor);
        return null;
    }
}

internal static class TopologySettingsExtensions
{
    /// <summary>Passes the tangle's parameters the AppHost was given on to the bootstrap, which hands them to every peer that joins.</summary>
    public static IResourceBuilder<ProjectResource> WithTangleSettings(this IResourceBuilder<ProjectResource> bootstrap, TopologySettings settings)
    {
        bootstrap.WithLocalDataDirectory("Bootstrap__DataDirectory", settings.BootstrapDataDirectory);
        if (settings.Model is { } model)
            bootstrap.WithEnvironment("Bootstrap__Model__Architecture", model);
        if (settings.WeightPrecision is { } precision)
            bootstrap.WithEnvironment("Bootstrap__WeightPrecision", precision == "float16" ? "Float16" : "Float32");
        if (settings.TrainingInterval is { } interval)
            bootstrap.WithEnvironment("Bootstrap__Training__Interval", interval.ToString("c", CultureInfo.InvariantCulture));
        return bootstrap;
    }

    /// <summary>
    /// Lets a peer train on a dataset of its own (Peer:LocalData). Running here, the folder of its name under
    /// <c>peer-data</c>, if there is one; published, the cluster mounts each pod's own folder (Publishing/, K3s:PeerDataClaim).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOwnData(this IResourceBuilder<ProjectResource> peer, TopologySettings settings)
    {
        if (!peer.ApplicationBuilder.ExecutionContext.IsRunMode)
            return peer.WithAnnotation(new Publishing.OwnDataAnnotation("Peer__LocalData"));
        return settings.OwnData(peer.Resource.Name) is { } folder ? peer.WithEnvironment("Peer__LocalData", folder) : peer;
    }

    /// <summary>
    /// Points a service at its folder under the state folder when running here; published, only the variable is noted
    /// (a path on this machine means nothing to a deployment, which mounts its own volume there: Publishing/).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLocalDataDirectory(this IResourceBuilder<ProjectResource> project, string variable, string path) =>
        project.ApplicationBuilder.ExecutionContext.IsRunMode
            ? project.WithEnvironment(variable, path)
            : project.WithAnnotation(new Publishing.DataDirectoryAnnotation(variable));
}
