namespace MlAspire.Peer.Hosting;

/// <summary>Configuration section "Peer".</summary>
public sealed class PeerOptions
{
    public const string Section = "Peer";

    /// <summary>
    /// Where the peer keeps its key, its embedded store and its replica log; survives restarts. Unset, it is a folder
    /// named after the gRPC port, so that replicas started from one configuration on one machine stay distinct peers.
    /// </summary>
    public string? DataDirectory { get; set; }

    public string ResolveDataDirectory(IConfiguration configuration) =>
        DataDirectory ?? Path.Combine(Path.GetTempPath(), "mlaspire", "peer-" + new Uri(GrpcUrl(configuration)).Port);

    public static string GrpcUrl(IConfiguration configuration) =>
        (configuration["Kestrel:Endpoints:grpc:Url"] ?? "http://localhost:5201").Replace("://+", "://localhost").Replace("://*", "://localhost");

    /// <summary>"embedded" (default) or "ipfs" (then <see cref="IpfsApi"/> is the Kubo RPC root, e.g. http://127.0.0.1:5001/).</summary>
    public string Storage { get; set; } = "embedded";

    public string? IpfsApi { get; set; }

    /// <summary>The address other peers use for this peer's gRPC endpoint; defaults to the "grpc" Kestrel endpoint.</summary>
    public string? AdvertisedGrpcAddress { get; set; }

    /// <summary>host:port of the HTTP endpoint with /metrics, for Prometheus discovery.</summary>
    public string? AdvertisedMetricsAddress { get; set; }

    /// <summary>
    /// This peer's own dataset, which never leaves it: a folder of IDX pairs, a CSV file with a label column or a folder
    /// of PNG class folders (docs/network.md, "Your own data"). Unset, the peer trains on the MNIST data slot the Bootstrap gives it.
    /// </summary>
    public string? LocalData { get; set; }

    /// <summary>Folder with the MNIST IDX files (the copy shipped next to the program by default).</summary>
    public string MnistDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "data", "mnist");

    /// <summary>What one announcement may cost this peer (ancestors, depth, weights, time); see <see cref="Engine.IngestBudget"/>.</summary>
    public Engine.IngestBudget IngestBudget { get; set; } = new();

    /// <summary>Watch streams (and, separately, catch-up lists) this peer serves at once to all members; more are refused.</summary>
    public int MaxWatchers { get; set; } = 64;

    /// <summary>Streams of each kind one member may hold open on this peer at once.</summary>
    public int MaxStreamsPerMember { get; set; } = 2;

    /// <summary>
    /// Announcements ingested at once (IPFS mode). Each one waits on the IPFS node (fetch and pin), so one at a time
    /// leaves a peer absorbing a few transactions per second; the engine's lock only covers the graph.
    /// </summary>
    public int IngestConcurrency { get; set; } = 8;

    /// <summary>
    /// The newest transactions whose weights are always kept; older weights (not tips', not the reference's) are
    /// released. Never more than half of <see cref="StorageCap"/> holds of the tangle's weights (nor for the minimum).
    /// </summary>
    public int RetentionHorizon { get; set; } = 2000;

    /// <summary>
    /// The newest transactions whose decoded weights stay in memory for learning (older ones are read by neighbours
    /// from the store only, and rated by walks as they were judged on arrival): where walks end. Each holds one model,
    /// 200 KB for the MLP.
    /// </summary>
    public int WeightsInMemory { get; set; } = Engine.Replica.DefaultWeightsInMemory;

    /// <summary>
    /// The newest transactions whose signed documents (about 1 KB each) stay in memory; older ones are served from the
    /// store, and ones the store has released (<see cref="DocumentRetentionHorizon"/>) from memory again.
    /// </summary>
    public int DocumentsInMemory { get; set; } = Engine.Replica.DefaultDocumentsInMemory;

    /// <summary>How many members this peer follows (reads announcements and history from); see <see cref="Network.FollowSelection"/>.</summary>
    public int FollowedMembers { get; set; } = Network.FollowSelection.DefaultDegree;

    /// <summary>Fewest newest transactions kept with weights even when the cap forces the horizon down, so that neighbours catching up can still fetch the recent ones.</summary>
    public int MinimumRetentionHorizon { get; set; } = 100;

    /// <summary>
    /// The newest transactions whose signed documents stay in the store (about 1 KB each); older ones are unpinned and
    /// served to catching-up neighbours from memory. Halves, like the weights' horizon, when the store is over its cap.
    /// </summary>
    public int DocumentRetentionHorizon { get; set; } = 100_000;

    /// <summary>
    /// How long catch-up and training wait for the journal's replay after a restart (<see cref="ReplicaJournal"/>); a
    /// replay still running then (a slow or hung disk, a very long journal) goes on beside them.
    /// </summary>
    public TimeSpan RestoreWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often weights are released and garbage collected.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the managed heap is compacted and its free memory returned to the system (<see cref="HeapTrimmer"/>):
    /// 0 never, else between 1 s and a day; a value outside stops the peer at start, saying so.
    /// </summary>
    public TimeSpan HeapTrimInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the median arrival has waited longer than this on its way in, the peer skips its training step to catch up
    /// first, at most <see cref="CatchUpFirst.MaxSkippedInARow"/> in a row (<see cref="CatchUpFirst"/>); zero never skips.
    /// </summary>
    public TimeSpan MaxArrivalDelay { get; set; } = CatchUpFirst.DefaultMaxDelay;

    /// <summary>The store size (bytes) retention keeps the peer under, by shrinking the horizon when it is exceeded.</summary>
    public long StorageCap { get; set; } = 2L << 30;
}
