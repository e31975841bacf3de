using MlAspire.Tangle;
using MlAspire.Tangle.Learning;
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
    public TangleRules Rules => new(Model.ToShape(), MaxParents, Training.Interval);

    public bool IsOpen => string.IsNullOrEmpty(JoinToken);
}

public sealed class ModelOptions
{
    /// <summary>"mlp" or "logreg".</summary>
    public string Architecture { get; set; } = "mlp";

    public int Inputs { get; set; } = 784;

    /// <summary>Hidden units of the MLP; ignored for logistic regression.</summary>
    public int Hidden { get; set; } = 64;

    public int Classes { get; set; } = 10;

    public ModelShape ToShape() => Architecture.ToLowerInvariant() switch
    {
        "mlp" => ModelShape.Mlp(Inputs, Hidden, Classes),
        "logreg" => ModelShape.LogisticRegression(Inputs, Classes),
        _ => throw new InvalidOperationException($"Bootstrap:Model:Architecture is '{Architecture}'; expected 'mlp' or 'logreg'."),
    };
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
