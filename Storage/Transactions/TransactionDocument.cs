using MlAspire.Storage.Content;
using MlAspire.Tangle.Dag;

namespace MlAspire.Storage.Transactions;

/// <summary>
/// A transaction as stored in IPFS: a DAG-JSON node whose parents, weights and genesis are IPLD links, so any IPFS
/// tool can walk the tangle (<c>ipfs dag get CID/payload/parents/0</c>). The signature covers the payload's
/// canonical bytes; the CID covers everything.
/// </summary>
/// <param name="Genesis">The tangle this transaction belongs to; null only for genesis itself.</param>
public sealed record TransactionDocument(
    Cid? Genesis,
    IReadOnlyList<Cid> Parents,
    Cid Weights,
    string CreatorId,
    string CreatorKey,
    long CreatedAt,
    TransactionMetrics Metrics,
    string Signature)
{
    public const int Version = 1;

    /// <summary>Encoded transactions larger than this are refused before parsing.</summary>
    public const int MaxEncodedBytes = 16 * 1024;

    public bool IsGenesis => Genesis is null;

    /// <summary>The domain view: ids are CID strings.</summary>
    public Transaction ToTransaction(Cid id) =>
        new(id.ToString(), Parents.Select(p => p.ToString()).ToList(), Weights.ToString(), CreatorId, CreatedAt, Metrics);

    /// <summary>Signs an unsigned document with <paramref name="key"/>, which also becomes its creator.</summary>
    public static TransactionDocument CreateSigned(Cid? genesis, IReadOnlyList<Cid> parents, Cid weights, long createdAt, TransactionMetrics metrics, PeerKey key)
    {
        var unsigned = new TransactionDocument(genesis, parents, weights, key.Id, key.PublicKey, createdAt, metrics, "");
        return unsigned with { Signature = Convert.ToBase64String(key.Sign(TransactionCodec.EncodePayload(unsigned))) };
    }
}
