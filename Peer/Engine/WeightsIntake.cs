using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Learning;

namespace MlAspire.Peer.Engine;

/// <summary>
/// The weights an ingested transaction enters the replica with: a blob already held is shared; a live announcement must
/// bring its own; what catch-up brings gets its weights if anyone still has them (members release old weights), and
/// history — created, with everything it approves, longer ago than the history age — is not even asked for (walks and
/// training never reach it); the nearest ancestors likewise. Whatever a sender says about having released them is not
/// asked: a transaction enters without weights only when nobody could supply them, and never from a live path.
/// </summary>
public sealed class WeightsIntake(Replica replica, IContentStore store, TangleGuards guards, IngestBudget budget)
{
    /// <param name="weighted">Among the nearest ancestors of the announced transaction, whose weights are fetched.</param>
    /// <param name="pinned">The ingestion's claims: each block of the weights is claimed before its fetch pins it (<see cref="PinClaims"/>).</param>
    public async Task<ModelWeights?> ForAsync(VerifiedTransaction item, bool isRoot, bool weighted, Announcement announcement, long now, PinClaims.Held pinned, CancellationToken cancellationToken)
    {
        var cid = item.Parsed.Weights;
        if (replica.TryGetWeights(cid, out var held))
        {
            // Held now, but retention may release the last other holder before this one is in: claimed and pinned again.
            await pinned.ClaimAsync(cid, cid, isWeights: true, cancellationToken);
            await store.PinAsync(cid, cancellationToken);
            return held;
        }
        if (announcement.Path == AnnouncementPath.Replay)
            return await store.HasAsync(cid, cancellationToken)
                ? Decode(cid, await store.FetchPinnedFileAsync(cid, MaxWeightsBytes, budget.FetchTimeout, cancellationToken, beforePin: Claim(cid, pinned)))
                : null;
        var required = isRoot && announcement.Path == AnnouncementPath.Live;
        if (!required && (IsHistory(item, now) || !isRoot && !weighted))
            return null;
        byte[] bytes;
        try
        {
            bytes = await FetchPinnedAsync(cid, announcement.From, pinned, cancellationToken);
        }
        catch (TransactionRejectedException) when (!required)
        {
            return null; // what the fetch pinned is unpinned with the ingestion's claims: the replica will not hold them
        }
        return Decode(cid, bytes);
    }

    /// <summary>
    /// Created longer ago than the history age, and so is everything it approves: a backdated transaction approving
    /// today's tips is not history, whatever it claims.
    /// </summary>
    private bool IsHistory(VerifiedTransaction item, long now)
    {
        var horizon = now - guards.HistoryAgeMs;
        return item.Parsed.CreatedAt < horizon && item.Parsed.Parents.All(parent => replica.Get(parent)?.Transaction.CreatedAt < horizon);
    }

    /// <summary>
    /// The tangle's model's weights are exactly this large: a file declaring more is refused from its root, before a
    /// hostile member can make this peer download the whole budget for a small model.
    /// </summary>
    private long MaxWeightsBytes => Math.Min(budget.MaxWeightsBytes, replica.Rules.WeightsBytes);

    /// <summary>Each block of the weights file <paramref name="weights"/> claimed before its pin, as part of that file.</summary>
    private Func<Cid, CancellationToken, Task> Claim(Cid weights, PinClaims.Held pinned) =>
        (block, cancellationToken) => pinned.ClaimAsync(block, weights, isWeights: true, cancellationToken);

    /// <summary>The weights file, every block claimed, pinned and verified, refused from its root when larger than the model's weights.</summary>
    private async Task<byte[]> FetchPinnedAsync(Cid cid, string? preferredPeer, PinClaims.Held pinned, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FetchPinnedFileAsync(cid, MaxWeightsBytes, budget.FetchTimeout, cancellationToken, preferredPeer, Claim(cid, pinned));
        }
        catch (InvalidDataException e)
        {
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid}: {e.Message}");
        }
        catch (Exception e) when (e is not (OperationCanceledException or StoreFullException))
        {
            throw new TransactionRejectedException(RejectionReason.WeightsUnavailable, $"Could not fetch {cid}: {e.Message}");
        }
    }

    private ModelWeights Decode(Cid cid, byte[] bytes)
    {
        if (bytes.Length > budget.MaxWeightsBytes)
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid} are {bytes.Length} bytes (limit {budget.MaxWeightsBytes}).");
        ModelWeights weights;
        try
        {
            weights = WeightCodec.Decode(bytes);
        }
        catch (InvalidWeightsException e)
        {
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid}: {e.Message}");
        }
        if (weights.Shape != replica.Rules.Model)
            throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid} have shape {weights.Shape}, the tangle's model is {replica.Rules.Model}.");
        // One encoding per tangle: the same values at another precision would be the same update under a second CID.
        return WeightCodec.PrecisionOf(bytes) == replica.Rules.WeightPrecision
            ? weights
            : throw new TransactionRejectedException(RejectionReason.InvalidWeights, $"Weights {cid} are {WeightCodec.PrecisionOf(bytes)}; the tangle publishes {replica.Rules.WeightPrecision}.");
    }
}
