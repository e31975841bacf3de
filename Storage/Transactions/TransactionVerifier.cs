using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;

namespace MlAspire.Storage.Transactions;

/// <summary>Why a received transaction was refused; its <see cref="RejectionReasons.Label"/> labels the rejection counter.</summary>
public enum RejectionReason
{
    Oversized,
    Malformed,
    CidMismatch,
    WrongTangle,
    BadSignature,
    ForgedCreator,
    InvalidParents,
    InvalidWeights,
    UnknownParent,
    /// <summary>The weights block could not be fetched from anyone (its publisher crashed, or pruned it).</summary>
    WeightsUnavailable,
    /// <summary>The creator holds no credential from this tangle's Bootstrap, or one that does not allow publishing.</summary>
    NonMember,
    /// <summary>More than the creator's (or the sending neighbour's) share of the tangle's publishing rate.</summary>
    RateLimited,
    /// <summary>One announcement would cost more than its budget (ancestors, depth).</summary>
    BudgetExceeded,
    /// <summary>created_at outside its window: in the future, before genesis or its parents, or outside the credential's validity.</summary>
    Stale,
    /// <summary>A second encoding of something that has one canonical form: non-canonical DAG-JSON, a high-s signature, loose base64.</summary>
    NonCanonical,
}

public static class RejectionReasons
{
    /// <summary>
    /// Not about the transaction itself but about this moment: its rate, an announcement's budget, weights nobody could
    /// supply in time, a parent not yet known. Such a refusal is not remembered; the transaction may go in when it comes again.
    /// </summary>
    public static bool IsTransient(this RejectionReason reason) =>
        reason is RejectionReason.RateLimited or RejectionReason.BudgetExceeded or RejectionReason.WeightsUnavailable or RejectionReason.UnknownParent;

    /// <summary>
    /// Found in the bytes one sender offered under a CID before they were known to be that CID's document: another sender
    /// may offer the right ones. Not a verdict on the transaction either: remembered, garbage sent under an honest CID
    /// would keep the honest transaction out.
    /// </summary>
    public static bool IsAboutTheOffer(this RejectionReason reason) => reason is RejectionReason.Oversized or RejectionReason.CidMismatch;

    /// <summary>The reason as metrics and status reports name it: snake_case ("non_member").</summary>
    public static string Label(this RejectionReason reason) => Labels[(int)reason];

    private static readonly string[] Labels = [.. Enum.GetValues<RejectionReason>().Select(r => SnakeCase(r.ToString()))];

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}

public sealed class TransactionRejectedException(RejectionReason reason, string message) : Exception(message)
{
    public RejectionReason Reason { get; } = reason;
}

/// <summary>
/// Everything checkable from a transaction's own bytes, before anything is stored or trained on: size, canonical form,
/// that the bytes hash to the CID they were announced under, that it belongs to this tangle, that its creator signed it
/// and held a credential from this tangle's Bootstrap when it did, and that its clock is sane. Weights and parents are
/// checked when they are fetched.
/// </summary>
/// <param name="genesis">The tangle's genesis: its CID names the tangle, its creator key is the Bootstrap's.</param>
/// <param name="maxParents">The Bootstrap's max_parents.</param>
/// <param name="clockSkew">How far clocks may disagree: created_at may be this far in the future, or before what it must follow.</param>
public sealed class TransactionVerifier(Cid genesisCid, TransactionDocument genesis, int maxParents, TimeProvider time, TimeSpan clockSkew)
{
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(1);

    public Cid Genesis => genesisCid;

    /// <summary>The Bootstrap's public key: it signed the genesis and signs every membership credential.</summary>
    public string IssuerKey => genesis.CreatorKey;

    public TimeSpan ClockSkew => clockSkew;

    /// <summary>Checks size, CID and form only: the genesis is trusted by its CID, which the Bootstrap handed out.</summary>
    public static TransactionDocument VerifyGenesis(Cid cid, ReadOnlySpan<byte> bytes)
    {
        var document = Parse(cid, bytes);
        return document.IsGenesis && document.Parents.Count == 0
            ? document
            : throw new TransactionRejectedException(RejectionReason.WrongTangle, $"{cid} is not a genesis transaction.");
    }

    public TransactionDocument Verify(Cid cid, ReadOnlySpan<byte> bytes)
    {
        var document = Parse(cid, bytes);
        if (cid.Equals(genesisCid))
            return document;
        if (document.Genesis is not { } claimed || !claimed.Equals(genesisCid))
            throw Reject(RejectionReason.WrongTangle, $"Transaction {cid} belongs to tangle {document.Genesis?.ToString() ?? "(none)"}, not {genesisCid}.");
        if (document.Parents.Count is 0 || document.Parents.Count > maxParents || document.Parents.Distinct().Count() != document.Parents.Count)
            throw Reject(RejectionReason.InvalidParents, $"Transaction {cid} has {document.Parents.Count} parents (1 to {maxParents} distinct allowed).");
        // A parent is a transaction document: another block (a model's weights) is never fetched and claimed as one.
        if (document.Parents.Any(parent => parent.Codec != ContentCodec.DagJson))
            throw Reject(RejectionReason.InvalidParents, $"Transaction {cid} names a parent that is not a transaction document (dag-json).");
        if (document.Weights.Codec is not (ContentCodec.Raw or ContentCodec.DagPb))
            throw Reject(RejectionReason.InvalidWeights, $"Transaction {cid} links weights that are neither a raw block nor a file's root.");
        if (!PeerKey.TryIdOf(document.CreatorKey, out var creatorId) || creatorId != document.CreatorId)
            throw Reject(RejectionReason.ForgedCreator, $"Transaction {cid} claims creator {document.CreatorId} but carries another peer's key.");
        // Membership first: it is checked against the one key this peer always has (the Bootstrap's), so a flood from
        // fresh keys is refused before any of them is imported to check its own signature.
        CheckMembership(cid, document);
        switch (PeerKey.Verify(document.CreatorKey, TransactionCodec.EncodePayload(document), document.Signature))
        {
            case PeerKey.Check.NonCanonical:
                throw Reject(RejectionReason.NonCanonical, $"Transaction {cid} has a non-canonical signature (high s, or loose base64).");
            case PeerKey.Check.Invalid:
                throw Reject(RejectionReason.BadSignature, $"Transaction {cid} has an invalid signature.");
        }
        return document;
    }

    private void CheckMembership(Cid cid, TransactionDocument document)
    {
        if (document.Membership is not { } credential)
            throw Reject(RejectionReason.NonMember, $"Transaction {cid} carries no membership credential.");
        switch (credential.Check(IssuerKey, genesisCid, document.CreatorId, document.CreatedAt, clockSkew))
        {
            case CredentialCheck.NonCanonical:
                throw Reject(RejectionReason.NonCanonical, $"Transaction {cid} carries a credential with a non-canonical signature.");
            case CredentialCheck.NotIssued:
                throw Reject(RejectionReason.NonMember, $"Transaction {cid}: creator {document.CreatorId} holds no credential from this tangle's Bootstrap.");
            case CredentialCheck.OutsideValidity:
                throw Reject(RejectionReason.Stale, $"Transaction {cid} was created at {document.CreatedAt}, outside its creator's credential ({credential.Grant.Created} to {credential.Grant.Expires}).");
        }
        if (!credential.Grant.Publish)
            throw Reject(RejectionReason.NonMember, $"Transaction {cid}: creator {document.CreatorId} is an observer and may not publish.");
        var slack = (long)clockSkew.TotalMilliseconds;
        if (document.CreatedAt > time.GetUtcNow().ToUnixTimeMilliseconds() + slack)
            throw Reject(RejectionReason.Stale, $"Transaction {cid} was created at {document.CreatedAt}, in the future.");
        if (document.CreatedAt < genesis.CreatedAt - slack)
            throw Reject(RejectionReason.Stale, $"Transaction {cid} was created at {document.CreatedAt}, before the genesis.");
    }

    private static TransactionDocument Parse(Cid cid, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > TransactionDocument.MaxEncodedBytes)
            throw Reject(RejectionReason.Oversized, $"Transaction {cid} is {bytes.Length} bytes (limit {TransactionDocument.MaxEncodedBytes}).");
        if (cid.Codec != ContentCodec.DagJson || !cid.Matches(bytes))
            throw Reject(RejectionReason.CidMismatch, $"Transaction bytes do not hash to {cid}.");
        try
        {
            return TransactionCodec.Decode(bytes);
        }
        catch (NonCanonicalException e)
        {
            throw Reject(RejectionReason.NonCanonical, $"Transaction {cid}: {e.Message}");
        }
        catch (FormatException e)
        {
            throw Reject(RejectionReason.Malformed, $"Transaction {cid}: {e.Message}");
        }
    }

    private static TransactionRejectedException Reject(RejectionReason reason, string message) => new(reason, message);
}
