using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle;

namespace MlAspire.Peer.Engine;

/// <summary>How an announced transaction reached this peer; what it must bring, and which limits it is charged to, follow from it.</summary>
public enum AnnouncementPath
{
    /// <summary>Pushed as it happens (a neighbour's watch stream, pubsub): fresh, with weights, charged to its sender.</summary>
    Live,

    /// <summary>Pulled from a neighbour's replica in arrival order: may be old history, whose weights are not fetched.</summary>
    CatchUp,

    /// <summary>Read back from this peer's own store after a restart: verified again, weights taken only from the store.</summary>
    Replay,
}

/// <param name="Document">The signed bytes when they came with the announcement; fetched by CID otherwise.</param>
/// <param name="From">Who sent it: a neighbour's peer id, or the IPFS node that published it; null when unknown.</param>
public sealed record Announcement(Cid Cid, byte[]? Document, AnnouncementPath Path, string? From = null);

/// <summary>What happened to an announcement.</summary>
public enum IngestStatus
{
    Inserted,
    Known,
    Rejected,

    /// <summary>Too old for a live path (a relayed piece of history): not an offence, catch-up brings it.</summary>
    Deferred,
}

public sealed record IngestOutcome(IngestStatus Status, int Inserted, RejectionReason? Reason = null, string? Error = null);

/// <summary>What one announcement may cost a peer, whoever sent it.</summary>
public sealed record IngestBudget
{
    /// <summary>Unknown ancestors fetched for one announcement; more is refused (budget_exceeded): catch-up brings long gaps in order.</summary>
    public int MaxAncestors { get; init; } = 512;

    /// <summary>How many parent links deep the ancestor fetch may go.</summary>
    public int MaxDepth { get; init; } = 128;

    /// <summary>
    /// Ancestors (nearest first) whose weights are fetched; deeper ones enter without, for their place in the DAG. With one
    /// blob in flight at a time, this bounds the weights one announcement can add to memory.
    /// </summary>
    public int MaxWeightedAncestors { get; init; } = 32;

    /// <summary>Announcements ingested at once, from all paths together: what every sender together can make a peer hold.</summary>
    public int MaxConcurrent { get; init; } = 16;

    /// <summary>Wall time one announcement may take, all fetches included.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for one block (transaction or weights) from the network.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest weights blob accepted (a file of 174 chunks of 256 KiB, as the tangle's rules allow).</summary>
    public int MaxWeightsBytes { get; init; } = TangleRules.MaxWeightsBytes;
}
