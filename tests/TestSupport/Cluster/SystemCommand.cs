using System.Diagnostics;

namespace MlAspire.Integration.Tests;

/// <summary>Runs a system tool (ip, mount, …) to completion for a fault test's setup and teardown.</summary>
public static class SystemCommand
{
    /// <summary>Runs it; a non-zero exit throws with the tool's error output.</summary>
    public static void Run(params string[] arguments) => Run(arguments, check: true);

    /// <summary>Runs it and ignores a failure (teardown of what may already be gone).</summary>
    public static void TryRun(params string[] arguments) => Run(arguments, check: false);

    private static void Run(string[] arguments, bool check)
    {
        var start = new ProcessStartInfo(arguments[0], arguments[1..]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {arguments[0]}.");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"`{string.Join(' ', arguments)}` failed ({process.ExitCode}): {error.Trim()}");
    }
}
