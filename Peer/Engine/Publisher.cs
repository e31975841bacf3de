using System.Diagnostics;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Engine;

/// <summary>
/// This peer's own transactions: runs a training step on the replica, and when the publish rule accepts the model,
/// encodes its weights, signs the transaction with the peer's key and current credential, stores both pinned and
/// inserts it. Announcing it to others is the announcer's job (it follows the replica's feed).
/// </summary>
public sealed class Publisher(Replica replica, IContentStore store, PeerKey key, MembershipState membership, StoreSpace space, TimeProvider time, PeerMetrics metrics)
{
    /// <summary>Returns the outcome and, when published, the new record; a model that passes but cannot be signed (no valid credential) or stored (a full disk) is counted and not published.</summary>
    public async Task<(TrainingOutcome Outcome, TransactionRecord? Published)> TrainAsync(LocalData local, LearningParameters parameters, Random random, CancellationToken cancellationToken)
    {
        TrainingOutcome outcome;
        using (PeerTracing.Source.StartActivity("train"))
        {
            // Only choosing reads the replica; averaging and the epochs run outside its lock, so ingestion and serving go on.
            var choice = replica.Read((graph, weights) => TrainingStep.Choose(graph, local, weights, parameters, random));
            outcome = TrainingStep.Complete(TrainingStep.Plan(choice, local, parameters), local, parameters, random);
        }
        if (!outcome.ShouldPublish)
            return (outcome, null);

        using var activity = PeerTracing.Source.StartActivity("publish");
        var createdAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (membership.ValidAt(createdAt) is not { } credential)
        {
            // Members would refuse it as stale or non-member: wait for the Bootstrap to renew the credential; learning goes on.
            metrics.PublishFailed("credential");
            activity?.SetStatus(ActivityStatusCode.Error, "no valid membership credential");
            return (outcome, null);
        }
        try
        {
            // Inserted as others will decode it, so every replica rates this transaction on the same values.
            var precision = replica.Rules.WeightPrecision;
            var weights = outcome.Weights.Transported(precision);
            var weightsCid = await store.PutFileAsync(WeightCodec.Encode(weights, precision), cancellationToken);
            var document = TransactionDocument.CreateSigned(
                replica.Genesis, outcome.Parents.Select(p => Cid.Parse(p.Id)).ToList(), weightsCid, createdAt, outcome.Metrics, key, credential);
            var bytes = TransactionCodec.Encode(document);
            Cid cid;
            try
            {
                cid = await store.PutAsync(ContentCodec.DagJson, bytes, cancellationToken);
            }
            catch (Exception) when (!replica.HoldsWeights(weightsCid))
            {
                try
                {
                    await store.UnpinFileAsync(weightsCid, CancellationToken.None); // no transaction will ever release them
                }
                catch (Exception cleanup) when (cleanup is not OperationCanceledException)
                {
                    // The store is failing: the first failure is the one to report.
                }
                throw;
            }
            var (added, _) = replica.Insert(new VerifiedTransaction(cid, bytes, document, weights));
            local.Evaluate(weightsCid.ToString(), weights); // judged from the weights at hand, as arrivals are (ArrivalJudge)
            activity?.SetTag("mlaspire.transaction.cid", cid.ToString());
            metrics.Published();
            space.HasRoom();
            return (outcome, added.Count > 0 ? added[0] : replica.Get(cid));
        }
        catch (StoreFullException e)
        {
            // Not an error of the step: the model is dropped (the next step trains a newer one) until there is room.
            space.Full(e);
            metrics.PublishFailed("disk_full");
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            return (outcome, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.PublishFailed("store");
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }
}
