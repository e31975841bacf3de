using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MlAspire.AppHost;

/// <summary>
/// What each peer runs: its native program (<c>tools/native/publish.sh</c>; two thirds of the resident memory and a fifth
/// of the start-up CPU of <c>dotnet Peer.dll</c>, docs/benchmarks.md "Native peers") or its Release assembly.
/// <list type="bullet">
/// <item><c>--native-peers</c> unset: the native program when it is published and current (<see cref="NativeProgram"/>);
/// else, when this machine can publish it (clang, an x86-64-v3 CPU), published now, before the app starts (about a
/// minute, then again only after the peer's code changes); else, or when that publish fails, the assembly.</item>
/// <item><c>true</c>: the native program, published now when it is not current; refused when it cannot be.</item>
/// <item><c>false</c>: the assembly.</item>
/// </list>
/// The AppHost logs the choice and why as the app starts.
/// </summary>
/// <param name="NativePath">The native program the peers run, or null for their assembly.</param>
internal sealed record PeerProgram(string? NativePath, string Reason)
{
    public bool Native => NativePath is not null;

    /// <param name="cannotPublish">Null when this machine can publish the native program, else why not (<see cref="WhyNotPublishable"/>); asked only when it is stale.</param>
    /// <param name="publish">Publishes the native program; returns null when it did, else why not.</param>
    public static PeerProgram Choose(bool? nativePeers, string peerFolder, string targetFramework, Func<string?> cannotPublish, Func<string?> publish)
    {
        if (nativePeers is false)
            return new(null, "--native-peers false");
        var program = NativeProgram.PathIn(peerFolder, targetFramework);
        if (NativeProgram.WhyNotCurrent(peerFolder, targetFramework) is not { } stale)
            return new(program, $"{program} is current");
        // Current after a publish that succeeded, unless a source changed while it ran.
        var failure = cannotPublish() ?? publish() ?? NativeProgram.WhyNotCurrent(peerFolder, targetFramework);
        if (failure is null)
            return new(program, $"{stale}: published it now");
        return nativePeers is null
            ? new(null, $"{stale}, and {failure}")
            : throw new InvalidOperationException($"--native-peers true: {stale}, and {failure}.");
    }

    /// <summary>What an x86-64-v3 CPU has, as /proc/cpuinfo names it (LZCNT is "abm").</summary>
    private static readonly string[] X86_64V3 = ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"];

    /// <summary>Why this machine cannot publish the native program, or null when it can (what tools/native/publish.sh needs).</summary>
    public static string? WhyNotPublishable(string cpuInfo, Func<string, bool> onPath)
    {
        if (!onPath("clang"))
            return "clang, its native linker, is missing (apt-get install clang)";
        var flags = cpuInfo.Split('\n').FirstOrDefault(line => line.StartsWith("flags", StringComparison.Ordinal))?.Split(' ') ?? [];
        var missing = X86_64V3.Where(flag => !flags.Contains(flag)).ToList();
        return missing.Count == 0 ? null
            : $"this CPU lacks {string.Join(", ", missing)} of x86-64-v3, which the native program is compiled for";
    }

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs tools/native/publish.sh, its output on this console; null when it succeeded, else why not.</summary>
    public static string? Publish(string repository)
    {
        Console.WriteLine("Publishing the peers' native program: tools/native/publish.sh, about a minute (--native-peers false skips it)");
        try
        {
            using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(repository, "tools", "native", "publish.sh")]) { WorkingDirectory = repository })!;
            if (!process.WaitForExit(PublishTimeout))
            {
                process.Kill(entireProcessTree: true);
                return $"tools/native/publish.sh did not finish within {PublishTimeout.TotalMinutes} minutes";
            }
            return process.ExitCode == 0 ? null : $"tools/native/publish.sh failed (exit code {process.ExitCode}; its output is above)";
        }
        catch (Win32Exception e)
        {
            return $"tools/native/publish.sh could not be started: {e.Message}";
        }
    }

    /// <summary><see cref="WhyNotPublishable"/> for this machine.</summary>
    public static string? WhyNotPublishableHere()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
            return "the native program is built for linux-x64 only";
        try
        {
            return WhyNotPublishable(File.ReadAllText("/proc/cpuinfo"), OnPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"this CPU's features are unreadable ({e.Message})";
        }
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, command))
            .Any(path => File.Exists(path) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
