using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// A transaction's metrics are the publisher's own claim. Sample-weighted averaging (the default) trusts the claimed
/// sample count, so one transaction claiming int.MaxValue samples outweighs any number of honest ones: the replica must
/// credit a claim with at most a cap.
/// </summary>
public sealed class InflatedSampleCountTests : IDisposable
{
    /// <summary>No peer of this demonstration can have trained on more than MNIST's whole training set; the hardened engine may cap lower.</summary>
    private const int MaxCreditedSamples = 60_000;

    /// <summary>What an honest peer with a tenth of MNIST claims.</summary>
    private const int HonestSamples = 6_000;

    private const int HonestPeers = 3;

    private static readonly ModelShape Shape = ModelShape.LogisticRegression(8, 3);
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-inflated-").FullName;
    private readonly List<PeerKey> _keys = [];

    public void Dispose()
    {
        _keys.ForEach(k => k.Dispose());
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_claim_of_int_MaxValue_samples_is_credited_with_at_most_the_cap_when_averaging()
    {
        // Every publisher's blocks are on one peer's store the victim fetches from, as it would from its neighbours.
        // Each member's credential grants it HonestSamples: what its data slot holds.
        using var tangle = new TestTangle(Shape);
        using var network = new TestPeer(tangle, Path.Combine(_root, "network"), TimeProvider.System);
        using var victim = new TestPeer(tangle, Path.Combine(_root, "victim"), TimeProvider.System, network.Store);
        var genesis = tangle.Genesis;

        // Honest models are all zeros and the attacker's all ones, so the average's every value is the attacker's share.
        async Task<Cid> PublishAsync(float value, int claimedSamples)
        {
            var key = Key();
            var weights = await network.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(new ModelWeights(Shape, Enumerable.Repeat(value, Shape.ParameterCount).ToArray())), default);
            var document = TransactionDocument.CreateSigned(genesis, [genesis], weights, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                new TransactionMetrics(0.3, 0.9, claimedSamples), key, tangle.Credential(key, samples: HonestSamples));
            var bytes = TransactionCodec.Encode(document);
            var cid = await network.Store.PutAsync(ContentCodec.DagJson, bytes, default);
            await victim.IngestAsync(cid, bytes);
            return cid;
        }
        for (var i = 0; i < HonestPeers; i++)
            await PublishAsync(0f, HonestSamples);
        var inflated = await PublishAsync(1f, int.MaxValue);

        // The models as the victim's replica holds them (an inflated claim may also be refused outright).
        var models = new List<PublishedModel>();
        foreach (var record in victim.Replica.Since(0, 100))
            models.Add(new PublishedModel(record.Transaction, WeightCodec.Decode(await victim.Store.GetAsync(record.Weights, TimeSpan.FromSeconds(1), default))));
        var average = new LearningParameters { Aggregator = "samples" }.CreateAggregator().Aggregate(models); // the rule that reads sample counts
        var attackerShare = average.Values[0];

        var cappedShare = (double)MaxCreditedSamples / (MaxCreditedSamples + HonestPeers * HonestSamples);
        var claimed = victim.Replica.Get(inflated)?.Transaction.Metrics.SampleCount;
        Assert.True(attackerShare <= cappedShare + 1e-6,
            $"the transaction claiming {int.MaxValue:N0} samples (credited {claimed?.ToString("N0") ?? "n/a: not in the replica"}) has {attackerShare:P4} of the average of {models.Count} models; capped at {MaxCreditedSamples:N0} samples against {HonestPeers} honest claims of {HonestSamples:N0} it would have at most {cappedShare:P2}");
        // With the cap at what the Bootstrap assigned, the inflated claim counts exactly as much as an honest one.
        Assert.Equal(HonestSamples, claimed);
        Assert.Equal(1.0 / (HonestPeers + 1), attackerShare, 5);
    }

    private PeerKey Key()
    {
        var key = PeerKey.Create();
        _keys.Add(key);
        return key;
    }
}
