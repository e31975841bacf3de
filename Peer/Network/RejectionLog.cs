using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Network;

/// <summary>
/// Logs rejected announcements without letting a flood flood the log: the first of each reason in every
/// <see cref="Window"/> is logged with its detail, the rest only counted (every one is counted in the metrics).
/// </summary>
public sealed class RejectionLog(TimeProvider time, ILogger<RejectionLog> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Until, int Suppressed)> _windows = new(StringComparer.Ordinal);

    public void Report(string? sender, Cid cid, IngestOutcome outcome)
    {
        if (outcome.Status != IngestStatus.Rejected || outcome.Reason is not { } reason) return;
        if (Admit(reason.Label(), out var suppressed))
            logger.LogWarning("Rejected transaction {Cid} from {Sender} ({Reason}): {Error}{Suppressed}", cid, sender ?? "unknown", reason.Label(), outcome.Error,
                suppressed > 0 ? $" ({suppressed} more {reason.Label()} rejections in the last {Window.TotalSeconds:0} s)" : "");
    }

    public void Malformed(string sender, string error)
    {
        if (Admit("malformed_cid", out _))
            logger.LogWarning("Ignored an announcement with a malformed CID from {Sender}: {Error}", sender, error);
    }

    private bool Admit(string key, out int suppressed)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            if (_windows.TryGetValue(key, out var window) && window.Until > now)
            {
                _windows[key] = window with { Suppressed = window.Suppressed + 1 };
                suppressed = 0;
                return false;
            }
            suppressed = window.Suppressed;
            _windows[key] = (now + (long)Window.TotalMilliseconds, 0);
            return true;
        }
    }
}
