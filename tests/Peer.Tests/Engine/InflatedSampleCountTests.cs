using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

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

    private sealed class StoreSource(IContentStore other) : IBlockSource
    {
        public async Task<byte[]?> TryFetchAsync(Cid cid, CancellationToken cancellationToken) =>
            await other.HasAsync(cid, cancellationToken) ? await other.GetAsync(cid, TimeSpan.FromSeconds(1), cancellationToken) : null;
    }

    [Fact]
    public async Task A_claim_of_int_MaxValue_samples_is_credited_with_at_most_the_cap_when_averaging()
    {
        // Every publisher's blocks are on one shared store the victim fetches from, as it would from its neighbours.
        var network = new EmbeddedContentStore(Path.Combine(_root, "network"));
        var genesisWeights = WeightCodec.Encode(Models.Create(Shape).Initialize(new Random(1)));
        var genesisDocument = TransactionDocument.CreateSigned(null, [], await network.PutAsync(ContentCodec.Raw, genesisWeights, default), 0, TransactionMetrics.None, Key());
        var genesisBytes = TransactionCodec.Encode(genesisDocument);
        var genesis = await network.PutAsync(ContentCodec.DagJson, genesisBytes, default);
        var victim = new PeerEngine(new EmbeddedContentStore(Path.Combine(_root, "victim"), new StoreSource(network)), Key(), TimeProvider.System,
            new PeerEngineOptions { FetchTimeout = TimeSpan.FromSeconds(1) });
        await victim.InitializeAsync(genesis, genesisBytes, genesisWeights, default);

        // Honest models are all zeros and the attacker's all ones, so the average's every value is the attacker's share.
        async Task<Cid> PublishAsync(float value, int claimedSamples)
        {
            var weights = await network.PutAsync(ContentCodec.Raw, WeightCodec.Encode(new ModelWeights(Shape, Enumerable.Repeat(value, Shape.ParameterCount).ToArray())), default);
            var document = TransactionDocument.CreateSigned(genesis, [genesis], weights, 1, new TransactionMetrics(0.3, 0.9, claimedSamples), Key());
            var bytes = TransactionCodec.Encode(document);
            var cid = await network.PutAsync(ContentCodec.DagJson, bytes, default);
            await victim.IngestAsync(cid, bytes, default);
            return cid;
        }
        for (var i = 0; i < HonestPeers; i++)
            await PublishAsync(0f, HonestSamples);
        var inflated = await PublishAsync(1f, int.MaxValue);

        // The models as the victim's replica holds them (an inflated claim may also be refused outright).
        var models = new List<PublishedModel>();
        foreach (var record in victim.Since(0, 100))
            models.Add(new PublishedModel(record.Transaction, WeightCodec.Decode(await victim.Store.GetAsync(record.Parsed.Weights, TimeSpan.FromSeconds(1), default))));
        var average = new LearningParameters().CreateAggregator().Aggregate(models);
        var attackerShare = average.Values[0];

        var cappedShare = (double)MaxCreditedSamples / (MaxCreditedSamples + HonestPeers * HonestSamples);
        var claimed = victim.Get(inflated)?.Transaction.Metrics.SampleCount;
        Assert.True(attackerShare <= cappedShare + 1e-6,
            $"the transaction claiming {int.MaxValue:N0} samples (credited {claimed?.ToString("N0") ?? "n/a: not in the replica"}) has {attackerShare:P4} of the average of {models.Count} models; capped at {MaxCreditedSamples:N0} samples against {HonestPeers} honest claims of {HonestSamples:N0} it would have at most {cappedShare:P2}");
    }

    private PeerKey Key()
    {
        var key = PeerKey.Create();
        _keys.Add(key);
        return key;
    }
}
