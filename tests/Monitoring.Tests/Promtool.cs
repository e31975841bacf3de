using System.Diagnostics;

namespace MlAspire.Monitoring.Tests;

/// <summary>Runs Debian's promtool (installed with prometheus by tests/run.sh).</summary>
public static class Promtool
{
    /// <returns>The exit code and everything promtool printed.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyList<string> arguments, string? standardInput = null)
    {
        PrometheusServer.RequireInstalled();
        var start = new ProcessStartInfo(PrometheusServer.Promtool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
            await process.StandardInput.WriteAsync(standardInput);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
