using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;

namespace MlAspire.Peer.Engine;

/// <summary>A transaction as this replica holds it: its place in arrival order, its CID, and the signed bytes it came as.</summary>
public sealed record TransactionRecord(int Sequence, Cid Cid, byte[] Document, TransactionDocument Parsed, Transaction Transaction);
