namespace MlAspire.Visualization.Model;

/// <summary>A transaction as the page draws it: its place in the DAG and its publisher's local metrics (null when not finite).</summary>
/// <param name="Sequence">Its arrival number in the replica of the peer it was read from.</param>
public sealed record TransactionView(
    long Sequence, string Cid, IReadOnlyList<string> Parents, string Publisher, double? LocalLoss, double? LocalAccuracy, long CreatedAtMs);
