namespace MlAspire.AppHost;

/// <summary>
/// What each peer runs: its native program (<c>tools/native/publish.sh</c>; about 60 % of the resident memory and a fifth
/// of the start-up CPU of <c>dotnet Peer.dll</c>, docs/benchmarks.md "Native peers") or its Release assembly.
/// <list type="bullet">
/// <item><c>--native-peers</c> unset: the native program when it is published and current (<see cref="NativeProgram"/>);
/// else, when this machine can publish it (clang, an x86-64-v3 CPU), published first, by a resource the peers wait
/// for (about a minute, then again only after the peer's code changes); else the assembly, saying why.</item>
/// <item><c>true</c>: the native program, published first when it is not current; refused when it cannot be.</item>
/// <item><c>false</c>: the assembly.</item>
/// </list>
/// </summary>
/// <param name="NativePath">The native program the peers run, or null for their assembly.</param>
/// <param name="PublishFirst">Whether <see cref="NativePath"/> must be published before the peers start.</param>
internal sealed record PeerProgram(string? NativePath, bool PublishFirst, string Reason)
{
    public bool Native => NativePath is not null;

    /// <param name="cannotPublish">Null when this machine can publish the native program, else why not (<see cref="WhyNotPublishable"/>).</param>
    public static PeerProgram Choose(bool? nativePeers, string peerFolder, string targetFramework, string? cannotPublish)
    {
        if (nativePeers is false)
            return new(null, false, "--native-peers false");
        var program = NativeProgram.PathIn(peerFolder, targetFramework);
        if (NativeProgram.WhyNotCurrent(peerFolder, targetFramework) is not { } stale)
            return new(program, false, $"{program} is current");
        if (cannotPublish is null)
            return new(program, true, $"{stale}: resource '{PublishResource}' publishes it first, about a minute");
        return nativePeers is null
            ? new(null, false, $"{stale}, and {cannotPublish}")
            : throw new InvalidOperationException($"--native-peers true: {stale}, and {cannotPublish}.");
    }

    /// <summary>The resource that publishes the native program, which the peers wait for.</summary>
    public const string PublishResource = "peer-native";

    /// <summary>Why this machine cannot publish the native program, or null when it can (what tools/native/publish.sh needs).</summary>
    public static string? WhyNotPublishable(string cpuInfo, Func<string, bool> onPath)
    {
        if (!onPath("clang"))
            return "clang, its native linker, is missing (apt-get install clang)";
        var flags = cpuInfo.Split('\n').FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal))?.Split(' ') ?? [];
        return flags.Contains("avx2") && flags.Contains("fma") ? null
            : "this CPU lacks AVX2 or FMA, which the native program is compiled for (x86-64-v3)";
    }
}
