namespace MlAspire.Visualization.Model;

/// <summary>A peer's status as last sampled; accuracy and loss are null before its first reference model.</summary>
public sealed record PeerStatusView(
    long TangleSize, int Tips, int Pending, string? ReferenceCid, double? ReferenceAccuracy, double? ReferenceLoss,
    string StorageKind, long Published, long Received, long Rejected, long SampledAtMs);

/// <summary>One point of a peer's reference-accuracy chart.</summary>
public sealed record AccuracySample(long AtMs, double Accuracy);
