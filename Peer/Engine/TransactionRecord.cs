using MlAspire.Storage.Content;
using MlAspire.Tangle.Dag;

namespace MlAspire.Peer.Engine;

/// <summary>
/// A transaction as this replica holds it: its place in arrival order, its CID, the graph's view of it, and the signed
/// bytes it came as while they are in memory (<see cref="Replica.DocumentsInMemory"/>); null once only the store has
/// them (<see cref="TransactionDocuments"/> reads either).
/// </summary>
public sealed record TransactionRecord(int Sequence, Cid Cid, Transaction Transaction, byte[]? Document)
{
    public Cid Weights => Cid.Parse(Transaction.WeightsId);
}
