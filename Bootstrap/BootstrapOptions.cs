using MlAspire.Tangle;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Architectures;
using MlAspire.Tangle.Training;

namespace MlAspire.Bootstrap;

/// <summary>The "Bootstrap" configuration section: who may join, which tangle they join, and how membership is kept.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    /// <summary>Shared secret every gRPC call must present as "authorization: Bearer …"; unset leaves the bootstrap open.</summary>
    public string? JoinToken { get; set; }

    /// <summary>Where the signing key and the genesis blocks are kept; relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Seeds the genesis weights; only read when the data directory has no genesis yet.</summary>
    public int GenesisSeed { get; set; } = 7;

    public ModelOptions Model { get; set; } = new();

    /// <summary>The most parents a transaction may approve.</summary>
    public int MaxParents { get; set; } = 8;

    public LearningParameters Learning { get; set; } = new();

    public TrainingOptions Training { get; set; } = new();

    public DataOptions Data { get; set; } = new();

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A peer silent for this long is dropped; unset means three heartbeat intervals.</summary>
    public TimeSpan? PeerTimeout { get; set; }

    public int MaxPeers { get; set; } = 1000;

    /// <summary>Observers (the Visualization) registered at once, apart from the peers.</summary>
    public int MaxObservers { get; set; } = 16;

    /// <summary>How far a request proof's time may be from the bootstrap's clock (either way).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a membership credential is valid. Heartbeats renew it past half its lifetime, so a member keeps
    /// publishing for at least half of this after the bootstrap goes down.
    /// </summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(1);

    public int MaxWatchers { get; set; } = 256;

    /// <summary>Membership changes a watcher may have pending before it is dropped as too slow.</summary>
    public int WatchBufferSize { get; set; } = 256;

    public TimeSpan EffectivePeerTimeout => PeerTimeout ?? 3 * HeartbeatInterval;

    /// <summary>The rules of the tangle, from Model, MaxParents and Training:Interval; not validated (see the validator).</summary>
    public TangleRules Rules => new(Model.ToShape(), MaxParents, Training.Interval, WeightPrecision);

    /// <summary>How peers publish weights: Float32, or Float16 at half the size (the accuracy cost is in docs/experiments.md).</summary>
    public WeightPrecision WeightPrecision { get; set; } = WeightPrecision.Float32;

    public bool IsOpen => string.IsNullOrEmpty(JoinToken);
}

public sealed class ModelOptions
{
    /// <summary>A named model (mlp, logreg, small-cnn, leaf-cnn), or a model's layers: "input:784, dense:64, relu, dense:10, softmax".</summary>
    public string Architecture { get; set; } = "mlp";

    /// <summary>A sample's shape, a size (784) or channels×height×width (1x28x28); layers given in Architecture name their own.</summary>
    public string Inputs { get; set; } = "784";

    /// <summary>Hidden units of the MLP; the other named models ignore it.</summary>
    public int Hidden { get; set; } = 64;

    public int Classes { get; set; } = 10;

    /// <exception cref="FormatException">An unknown model, a malformed shape, or layers that do not fit together.</exception>
    public ModelShape ToShape() => Architecture.Contains(',')
        ? ModelShape.Parse(Architecture) // layers name their own input
        : ModelArchitectures.Resolve(Architecture, ActivationShape.Parse(Inputs), Classes, Hidden);
}

/// <summary>How the demonstration data set is shared out: each joining peer is given one slot of it.</summary>
public sealed class DataOptions
{
    /// <summary>Partitions of the train pool; peers beyond this many share slots.</summary>
    public int Slots { get; set; } = 10;

    /// <summary>iid, dirichlet:ALPHA or shards:N.</summary>
    public string Partition { get; set; } = "dirichlet:0.5";

    public int Seed { get; set; } = 7;

    /// <summary>Where the demonstration MNIST files are; the bootstrap reads their labels to size each slot.</summary>
    public string Directory { get; set; } = Path.Combine(AppContext.BaseDirectory, "data", "mnist");
}

public sealed class TrainingOptions
{
    /// <summary>How often a peer considers a training step.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The chance that a peer trains at each step, in (0, 1].</summary>
    public double ActiveQuota { get; set; } = 1.0;
}
