using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Engine;

/// <summary>
/// Evaluates every transaction on local data as it is taken in, from its weights just decoded, so that the evaluation is
/// remembered (<see cref="LocalData.TryRecall"/>) once they leave memory: walks then rate an older transaction as they did
/// before, however fast newer ones pushed it out (a flood would otherwise leave honest history unrated and walks drawn to
/// the flood). Judged by the ingestion that inserted it, from the weights it holds rather than from memory, an arrival
/// cannot be pushed out unjudged by a burst, and ingestion goes no faster than this peer can judge. Only inserted
/// arrivals are judged: one refused (rate, parents) costs no evaluation. That is what lets memory hold few weights
/// (<see cref="Replica.DefaultWeightsInMemory"/>): judged only at each training step, 50 peers brought about as many
/// arrivals per step as memory held.
/// </summary>
/// <remarks>
/// Until the peer's data is loaded (<see cref="Attach"/>) nothing is judged; attaching judges what is in memory then, the
/// newest arrivals (history replayed after a restart is not walked). An ingestion that inserted before attaching and
/// judges after it is judged twice, once from the memo; one that judged before attaching inserted before the snapshot
/// attaching reads, so none is missed.
/// </remarks>
public sealed class ArrivalJudge(Replica replica, ILogger<ArrivalJudge> logger)
{
    private LocalData? _local;

    /// <summary>Starts judging on <paramref name="local"/>, beginning with the arrivals whose weights are in memory now.</summary>
    public void Attach(LocalData local)
    {
        if (Interlocked.CompareExchange(ref _local, local, null) is not null)
            throw new InvalidOperationException("The judge already judges on this peer's data.");
        var newest = replica.Snapshot.Size - 1;
        foreach (var record in replica.Since(newest - replica.WeightsInMemory, replica.WeightsInMemory))
            if (replica.TryGetWeights(record.Transaction.WeightsId, out var weights))
                Judge(record.Transaction.WeightsId, weights);
    }

    /// <summary>Evaluates <paramref name="weights"/> on local data, once the data is loaded; a fault is logged, never thrown.</summary>
    public void Judge(string weightsId, ModelWeights weights)
    {
        if (Volatile.Read(ref _local) is not { } local)
            return;
        try
        {
            local.Evaluate(weightsId, weights);
        }
        catch (Exception e)
        {
            // Weights are validated against the tangle's model before they get here: this is a fault of this peer's, and
            // the arrival is rated as unseen rather than refused.
            logger.LogError(e, "Could not judge weights {Weights} on local data", weightsId);
        }
    }
}
