using System.Globalization;

namespace MlAspire.Benchmarks.Soak;

/// <summary>
/// What a soak runs: <c>soak --peers N --minutes M --ipfs embedded|js-ipfs --interval T [--warmup W] [--native-peers true|false] [--out DIR]</c>.
/// T is the training interval in seconds (the network's default is 5); W the minutes left out of the slopes (default:
/// a fifth of the run, at least 2). <c>--native-peers true</c> runs the peers' native program (<c>tools/native/publish.sh</c>), as the AppHost's option of that name does.
/// <c>--tls true</c> runs gRPC over TLS, as the K3s manifests do (cleartext h2c by default, as the AppHost locally).
/// </summary>
public sealed record SoakOptions(int Peers, double Minutes, StorageMode Storage, TimeSpan Interval, double WarmupMinutes, string Output, bool NativePeers, bool Tls = false)
{
    /// <summary>How the run names its topology in the log, the charts and the verdict: "16 peers, embedded" or "16 native peers, js-ipfs, TLS".</summary>
    public string Topology => $"{Peers} {(NativePeers ? "native " : "")}peers, {(Storage == StorageMode.Ipfs ? "js-ipfs" : "embedded")}{(Tls ? ", TLS" : "")}";

    public static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);

    public const string Usage = "soak --peers N --minutes M --ipfs embedded|js-ipfs [--interval SECONDS] [--warmup MINUTES] [--native-peers true|false] [--tls true|false] [--out DIR]";

    public static SoakOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
                throw new ArgumentException($"Expected '--name value' pairs at '{args[i]}'. Usage: {Usage}");
            values[args[i][2..]] = args[i + 1];
        }
        var unknown = values.Keys.Except(["peers", "minutes", "ipfs", "interval", "warmup", "native-peers", "tls", "out"]).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown option(s) {string.Join(", ", unknown.Select(u => "--" + u))}. Usage: {Usage}");

        var peers = Number(values, "peers", 4);
        var minutes = Number(values, "minutes", 10.0);
        var storage = values.GetValueOrDefault("ipfs", "embedded") switch
        {
            "embedded" => StorageMode.Embedded,
            "js-ipfs" => StorageMode.Ipfs,
            var other => throw new ArgumentException($"--ipfs is '{other}': expected embedded or js-ipfs."),
        };
        var native = Flag(values, "native-peers");
        var tls = Flag(values, "tls");
        var interval = Number(values, "interval", 5.0);
        var warmup = Number(values, "warmup", Math.Max(2, minutes / 5));
        if (peers < 2 || minutes <= 0 || interval <= 0 || warmup < 0 || warmup >= minutes)
            throw new ArgumentException($"Need at least 2 peers, a positive run and interval, and a warm-up shorter than the run. Usage: {Usage}");
        var output = values.GetValueOrDefault("out") ?? Path.Combine("soak-results", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{values.GetValueOrDefault("ipfs", "embedded")}-p{peers}{(native ? "-native" : "")}");
        return new SoakOptions(peers, minutes, storage, TimeSpan.FromSeconds(interval), warmup, Path.GetFullPath(output), native, tls);
    }

    private static bool Flag(Dictionary<string, string> values, string name) => values.GetValueOrDefault(name, "false") switch
    {
        "false" => false,
        "true" => true,
        var other => throw new ArgumentException($"--{name} is '{other}': expected true or false."),
    };

    private static T Number<T>(Dictionary<string, string> values, string name, T fallback) where T : IParsable<T> =>
        !values.TryGetValue(name, out var text) ? fallback
        : T.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"--{name} is '{text}', not a number.");
}
