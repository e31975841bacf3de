using MlAspire.Storage.Content;

namespace MlAspire.Storage.Transactions;

/// <summary>Why a received transaction was refused; also the label of the rejection counter.</summary>
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
}

public sealed class TransactionRejectedException(RejectionReason reason, string message) : Exception(message)
{
    public RejectionReason Reason { get; } = reason;
}

/// <summary>
/// Everything checkable from a transaction's own bytes, before anything is stored or trained on: size, form, that the
/// bytes hash to the CID they were announced under, that it belongs to this tangle, and that its creator signed it.
/// Weights and parents are checked when they are fetched.
/// </summary>
public static class TransactionVerifier
{
    public static TransactionDocument Verify(Cid cid, ReadOnlySpan<byte> bytes, Cid genesis, int maxParents)
    {
        if (bytes.Length > TransactionDocument.MaxEncodedBytes)
            throw new TransactionRejectedException(RejectionReason.Oversized, $"Transaction {cid} is {bytes.Length} bytes (limit {TransactionDocument.MaxEncodedBytes}).");
        if (cid.Codec != ContentCodec.DagJson || !cid.Matches(bytes))
            throw new TransactionRejectedException(RejectionReason.CidMismatch, $"Transaction bytes do not hash to {cid}.");

        TransactionDocument document;
        try
        {
            document = TransactionCodec.Decode(bytes);
        }
        catch (FormatException e)
        {
            throw new TransactionRejectedException(RejectionReason.Malformed, $"Transaction {cid}: {e.Message}");
        }

        if (cid.Equals(genesis))
            return document;
        if (document.Genesis is not { } claimed || !claimed.Equals(genesis))
            throw new TransactionRejectedException(RejectionReason.WrongTangle, $"Transaction {cid} belongs to tangle {document.Genesis?.ToString() ?? "(none)"}, not {genesis}.");
        if (document.Parents.Count is 0 || document.Parents.Count > maxParents || document.Parents.Distinct().Count() != document.Parents.Count)
            throw new TransactionRejectedException(RejectionReason.InvalidParents, $"Transaction {cid} has {document.Parents.Count} parents (1 to {maxParents} distinct allowed).");
        if (document.Weights.Codec != ContentCodec.Raw)
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Transaction {cid} links weights that are not a raw block.");
        if (!PeerKey.TryIdOf(document.CreatorKey, out var creatorId) || creatorId != document.CreatorId)
            throw new TransactionRejectedException(RejectionReason.ForgedCreator, $"Transaction {cid} claims creator {document.CreatorId} but carries another peer's key.");
        if (!TryFromBase64(document.Signature, out var signature) || !PeerKey.Verify(document.CreatorKey, TransactionCodec.EncodePayload(document), signature))
            throw new TransactionRejectedException(RejectionReason.BadSignature, $"Transaction {cid} has an invalid signature.");
        return document;
    }

    private static bool TryFromBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
            return false;
        bytes = bytes[..written];
        return true;
    }
}
