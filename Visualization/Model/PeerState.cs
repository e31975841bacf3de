namespace MlAspire.Visualization.Model;

/// <summary>How the Visualization sees a peer.</summary>
public enum PeerState
{
    /// <summary>A member the Visualization has not reached yet.</summary>
    Connecting,

    /// <summary>Its transactions are streaming and its status answers.</summary>
    Live,

    /// <summary>A call failed; retried after a delay.</summary>
    Unreachable,

    /// <summary>It left or was dropped by the bootstrap; its history stays on the page.</summary>
    Left,
}

/// <summary>A row of the page's peer panel.</summary>
public sealed record PeerSummary(string PeerId, string GrpcAddress, PeerState State, string? Problem, long JoinedAtMs, PeerStatusView? Status);
