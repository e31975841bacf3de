namespace MlAspire.Visualization.Model;

// What the page receives over Server-Sent Events, one record per event type (the SSE "event:" field).

/// <summary>"snapshot": the first event of every connection; <see cref="Selected"/> is the peer whose tangle follows.</summary>
public sealed record SnapshotEvent(string? Selected, IReadOnlyList<PeerSummary> Peers, IReadOnlyDictionary<string, AccuracySample[]> Accuracy,
    IReadOnlyList<TransactionView> Transactions, int TransactionsPerPeer);

/// <summary>"transactions": new transactions in the selected peer's replica, oldest first.</summary>
public sealed record TransactionsEvent(string PeerId, IReadOnlyList<TransactionView> Transactions);

/// <summary>"status": a peer's sampled status, and the accuracy sample it added to the chart (null when not measured yet).</summary>
public sealed record StatusEvent(string PeerId, PeerStatusView Status, AccuracySample? Sample);

/// <summary>"peers": the membership or a peer's state changed.</summary>
public sealed record PeersEvent(IReadOnlyList<PeerSummary> Peers);

/// <summary>An event serialized once for every browser; <see cref="PeerId"/> set when only the browsers following that peer want it.</summary>
public sealed record BrowserEvent(string Type, string? PeerId, string Json);
