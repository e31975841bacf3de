namespace MlAspire.Tangle.Dag;

/// <summary>
/// One model update in the tangle. <see cref="Id"/> is content-derived in a real peer (a CID), so two
/// transactions with the same id are the same transaction. Genesis is the only transaction without parents.
/// </summary>
/// <param name="Id">Content id of this transaction.</param>
/// <param name="Parents">The transactions it approves; their weights were averaged to start its training.</param>
/// <param name="WeightsId">Content id of the weights blob.</param>
/// <param name="Publisher">Id of the peer that published it.</param>
/// <param name="CreatedAt">Publisher's clock, Unix milliseconds (informative only: never trusted for ordering).</param>
/// <param name="Metrics">What the publisher measured on its own local test data.</param>
public sealed record Transaction(
    string Id,
    IReadOnlyList<string> Parents,
    string WeightsId,
    string Publisher,
    long CreatedAt,
    TransactionMetrics Metrics)
{
    public bool IsGenesis => Parents.Count == 0;
}

/// <summary>Local loss and accuracy of the published model, and how many samples trained it (for sample-weighted averaging).</summary>
public sealed record TransactionMetrics(double LocalLoss, double LocalAccuracy, int SampleCount)
{
    public static TransactionMetrics None { get; } = new(double.NaN, double.NaN, 0);
}
