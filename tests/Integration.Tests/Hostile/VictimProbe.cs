using MlAspire.Peer.Grpc;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>What a test asks of an attacked peer process: is it up, what does it report, does it still learn.</summary>
public static class VictimProbe
{
    /// <summary>The status, or null when the peer does not answer (crashed, stopped, or hung).</summary>
    public static async Task<PeerStatus?> TryStatusAsync(this RunningPeer peer)
    {
        try
        {
            return await peer.StatusAsync();
        }
        catch (Grpc.Core.RpcException)
        {
            return null;
        }
    }

    /// <summary>Exited, or its host is shutting down (what a BackgroundService's unhandled exception does).</summary>
    public static bool IsDown(this RunningPeer peer) =>
        peer.Process.HasExited || peer.Process.Output.Contains("Application is shutting down", StringComparison.Ordinal);

    public static async Task<string> DescribeAsync(this RunningPeer peer)
    {
        var state = peer.Process.HasExited ? $"EXITED (code {peer.Process.ExitCode})" : peer.IsDown() ? "shutting down" : "running";
        return await peer.TryStatusAsync() is { } s
            ? $"{peer.Name}: {state}, tangle {s.TangleSize}, published {s.Published}, received {s.Received}, rejected {{{string.Join(", ", s.RejectedByReason.Select(r => $"{r.Key}={r.Value}"))}}}, reference accuracy {s.ReferenceAccuracy:F4}"
            : $"{peer.Name}: {state}, not answering GetStatus";
    }

    /// <summary>How often the peer rejected for <paramref name="label"/> (0 when it does not answer).</summary>
    public static async Task<long> RejectedAsync(this RunningPeer peer, string label) =>
        (await peer.TryStatusAsync())?.RejectedByReason.GetValueOrDefault(label) ?? 0;

    /// <summary>Whether the peer publishes and its tangle grows by <paramref name="growth"/> within <paramref name="timeout"/>.</summary>
    public static async Task<bool> KeepsLearningAsync(this RunningPeer peer, TimeSpan timeout, int growth = 3)
    {
        if (peer.Process.HasExited || await peer.TryStatusAsync() is not { } before)
            return false;
        return await Eventually.WithinAsync(async () =>
        {
            var now = await peer.StatusAsync();
            return now.TangleSize >= before.TangleSize + growth && now.Published > before.Published;
        }, timeout);
    }

    /// <summary>The peer's error and critical log lines (the simple console format prefixes them "fail:" and "crit:"), with what follows each.</summary>
    public static string Failures(this ServiceProcess process)
    {
        var lines = process.Output.Split('\n');
        var picked = new List<string>();
        for (var i = 0; i < lines.Length && picked.Count < 12; i++)
            if (lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
                picked.AddRange(lines.Skip(i).Take(3).Select(l => l.Trim()));
        return picked.Count == 0 ? "(no fail/crit log lines)" : string.Join(" | ", picked);
    }
}
