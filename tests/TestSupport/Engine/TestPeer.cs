using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// A peer's engine in-process, wired as the host wires it: a replica, an ingestor and a publisher over an embedded store
/// in its own folder, a key with a credential from <see cref="TestTangle"/>, and blocks fetched from another peer's store.
/// </summary>
public sealed class TestPeer : IDisposable
{
    public static readonly TimeSpan TrainingInterval = TimeSpan.FromMilliseconds(300);

    public TestPeer(TestTangle tangle, string directory, TimeProvider time, IContentStore? neighbour = null, IngestBudget? budget = null, int samples = 1000,
        int weightsInMemory = Replica.DefaultWeightsInMemory, Func<IBlockSource, IBlockSource>? wrapSource = null, int documentsInMemory = Replica.DefaultDocumentsInMemory)
    {
        Replica = new Replica(weightsInMemory, documentsInMemory);
        Store = new EmbeddedContentStore(directory, neighbour is null ? null : (wrapSource ?? (s => s))(new StoreSource(neighbour)));
        Membership = new MembershipState(Key, time);
        Membership.Renew(tangle.Credential(Key, samples));
        Metrics = new PeerMetrics(null, () => Replica.IsInitialized ? Replica.Snapshot : null);
        Guards = new TangleGuards(Replica, time, () => 4);
        Space = new StoreSpace(Metrics);
        Judge = new ArrivalJudge(Replica, NullLogger<ArrivalJudge>.Instance);
        Delays = new ArrivalDelays(time);
        Ingestor = new Ingestor(Replica, Store, Guards, Space, time, Metrics, budget ?? new IngestBudget { FetchTimeout = TimeSpan.FromSeconds(1) }, judge: Judge, delays: Delays);
        Publisher = new Publisher(Replica, Store, Key, Membership, Space, time, Metrics);
        var genesisWeights = WeightCodec.Decode(tangle.GenesisWeights);
        Store.PutAsync(ContentCodec.Raw, tangle.GenesisWeights, default).GetAwaiter().GetResult();
        Store.PutAsync(ContentCodec.DagJson, tangle.GenesisBytes, default).GetAwaiter().GetResult();
        Replica.Initialize(new VerifiedTransaction(tangle.Genesis, tangle.GenesisBytes, tangle.GenesisDocument, genesisWeights),
            new TangleRules(tangle.Shape, MaxParents: 8, TrainingInterval));
    }

    public PeerKey Key { get; } = PeerKey.Create();

    public StoreSpace Space { get; }

    public EmbeddedContentStore Store { get; }

    public Replica Replica { get; }

    public MembershipState Membership { get; }

    public PeerMetrics Metrics { get; }

    public TangleGuards Guards { get; }

    /// <summary>Judges nothing until a test attaches local data.</summary>
    public ArrivalJudge Judge { get; }

    /// <summary>How long what this peer took in waited on its way here.</summary>
    public ArrivalDelays Delays { get; }

    public Ingestor Ingestor { get; }

    public Publisher Publisher { get; }

    public Task<IngestOutcome> IngestAsync(Cid cid, byte[]? document = null, AnnouncementPath path = AnnouncementPath.Live, string? from = "neighbour") =>
        Ingestor.IngestAsync(new Announcement(cid, document, path, from), default);

    public void Dispose() => Key.Dispose();

    /// <summary>Reads blocks straight from another peer's store, as the gRPC block source does across processes.</summary>
    private sealed class StoreSource(IContentStore other) : IBlockSource
    {
        public async Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken) =>
            await other.HasAsync(cid, cancellationToken) ? VerifiedBlock.TryCreate(cid, await other.GetAsync(cid, TimeSpan.FromSeconds(1), cancellationToken)) : null;
    }
}
