namespace MlAspire.Visualization.Model;

/// <summary>Everything the Visualization keeps about one peer, bounded: its newest transactions and its recent accuracy.</summary>
internal sealed class PeerView(string peerId, string grpcAddress, long joinedAtMs, VisualizationOptions options)
{
    public string PeerId { get; } = peerId;

    public string GrpcAddress { get; set; } = grpcAddress;

    public long JoinedAtMs { get; set; } = joinedAtMs;

    public PeerState State { get; set; } = PeerState.Connecting;

    public string? Problem { get; set; }

    public PeerStatusView? Status { get; set; }

    public TransactionWindow Transactions { get; } = new(options.TransactionsPerPeer);

    public RingBuffer<AccuracySample> Accuracy { get; } = new(options.AccuracySamplesPerPeer);

    public PeerSummary Summary() => new(PeerId, GrpcAddress, State, Problem, JoinedAtMs, Status);
}
