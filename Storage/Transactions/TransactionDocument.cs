using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Tangle.Dag;

namespace MlAspire.Storage.Transactions;

/// <summary>
/// A transaction as stored in IPFS: a DAG-JSON node whose parents, weights and genesis are IPLD links, so any IPFS
/// tool can walk the tangle (<c>ipfs dag get CID/payload/parents/0</c>). The signature covers the payload's
/// canonical bytes; the CID covers everything.
/// </summary>
/// <param name="Genesis">The tangle this transaction belongs to; null only for genesis itself.</param>
/// <param name="Membership">The creator's credential from the Bootstrap, valid when the transaction was created; null only for genesis.</param>
public sealed record TransactionDocument(
    Cid? Genesis,
    IReadOnlyList<Cid> Parents,
    Cid Weights,
    string CreatorId,
    string CreatorKey,
    long CreatedAt,
    TransactionMetrics Metrics,
    string Signature,
    MembershipCredential? Membership = null)
{
    public const int Version = 1;

    /// <summary>Encoded transactions larger than this are refused before parsing.</summary>
    public const int MaxEncodedBytes = 16 * 1024;

    /// <summary>Parent links read from a document at most; the tangle's own limit (the Bootstrap's max_parents) is lower.</summary>
    public const int MaxParentLinks = 64;

    public bool IsGenesis => Genesis is null;

    /// <summary>
    /// The domain view: ids are CID strings, and the sample count is what the replica weighs the model by — the claim,
    /// capped by what the creator's credential grants (genesis counts as none).
    /// </summary>
    public Transaction ToTransaction(Cid id)
    {
        var samples = Math.Clamp(Metrics.SampleCount, 0, Math.Max(0, Membership?.Grant.Samples ?? 0)); // a negative grant grants none
        return new(id.ToString(), Parents.Select(p => p.ToString()).ToList(), Weights.ToString(), CreatorId, CreatedAt, Metrics with { SampleCount = samples });
    }

    /// <summary>Signs an unsigned document with <paramref name="key"/>, which also becomes its creator.</summary>
    public static TransactionDocument CreateSigned(Cid? genesis, IReadOnlyList<Cid> parents, Cid weights, long createdAt, TransactionMetrics metrics, PeerKey key,
        MembershipCredential? membership = null)
    {
        var unsigned = new TransactionDocument(genesis, parents, weights, key.Id, key.PublicKey, createdAt, metrics, "", membership);
        return unsigned with { Signature = key.SignToText(TransactionCodec.EncodePayload(unsigned)) };
    }
}
