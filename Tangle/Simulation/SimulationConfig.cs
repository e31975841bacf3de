using MlAspire.Tangle.Attacks;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Simulation;

/// <summary>One experiment: who learns, on what split, with which model, against which attack, from which seed.</summary>
public sealed record SimulationConfig
{
    public int Peers { get; init; } = 20;
    public int Rounds { get; init; } = 100;

    /// <summary>iid, dirichlet:ALPHA or shards:N (see <see cref="Data.Partitioning.Partitioners"/>).</summary>
    public string Partition { get; init; } = "dirichlet:0.5";

    public ModelShape Model { get; init; } = ModelShape.Mlp(784, 64, 10);
    public AttackSpec? Attack { get; init; }
    public int Seed { get; init; } = 7;
    public LearningParameters Learning { get; init; } = new();

    /// <summary>Chance that the fastest peer trains in a round (the rest are idle, as real peers often are).</summary>
    public double ActiveQuota { get; init; } = 1.0;

    /// <summary>Chance that the slowest peer trains in a round; peers' speeds spread evenly up to <see cref="ActiveQuota"/>.</summary>
    public double SlowestQuota { get; init; } = 1.0;

    /// <summary>Chance per round that a peer leaves, or, once gone, comes back.</summary>
    public double Churn { get; init; }

    /// <summary>Rounds before a transaction reaches the other peers: with a delay, peers build on stale tips.</summary>
    public int Delay { get; init; }

    /// <summary>Share of each peer's data kept as its local test set.</summary>
    public double LocalTestFraction { get; init; } = 0.2;

    /// <summary>The tangle keeps the weights of this many newest transactions (plus each publisher's newest), as a real peer does.</summary>
    public int RetainedWeights { get; init; } = 2000;

    /// <summary>How published weights travel: the tangle's transactions and FedAvg's client updates and global model alike.</summary>
    public WeightPrecision Transport { get; init; } = WeightPrecision.Float32;

    /// <summary>Evaluate on the held-out set every this many rounds (and after the last).</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>
    /// The tangle's accuracy is the mean over this many honest peers' references, a sample fixed for the run (every
    /// honest peer when there are no more). Each peer's reference is a model of its own, scored on the whole held-out
    /// set: at 1,000 peers that is 1,000 models per evaluation, most of the run's time.
    /// </summary>
    public int EvaluatedPeers { get; init; } = 100;

    /// <summary>Method specs (see <see cref="SimulatedMethods"/>): tangle, tangle-undefended, fedavg[:AGGREGATOR], centralized.</summary>
    public IReadOnlyList<string> Methods { get; init; } = ["tangle", "fedavg", "centralized"];

    public SimulationConfig Validated()
    {
        if (Peers < 1) throw new ArgumentException("At least one peer is needed.");
        if (Rounds < 1) throw new ArgumentException("At least one round is needed.");
        if (ActiveQuota is <= 0 or > 1) throw new ArgumentException("ActiveQuota must be in (0, 1].");
        if (SlowestQuota <= 0 || SlowestQuota > ActiveQuota) throw new ArgumentException("SlowestQuota must be in (0, ActiveQuota].");
        if (Churn is < 0 or >= 1) throw new ArgumentException("Churn must be in [0, 1).");
        if (Delay is < 0 or > 100) throw new ArgumentException("Delay must be 0 to 100 rounds.");
        if (LocalTestFraction is <= 0 or >= 1) throw new ArgumentException("LocalTestFraction must be in (0, 1).");
        if (RetainedWeights < 1) throw new ArgumentException("RetainedWeights must be at least 1.");
        if (EvaluateEvery < 1) throw new ArgumentException("EvaluateEvery must be at least 1.");
        if (EvaluatedPeers < 1) throw new ArgumentException("EvaluatedPeers must be at least 1.");
        if (Methods.Count == 0) throw new ArgumentException("Choose at least one method.");
        if (Methods.Distinct().Count() != Methods.Count) throw new ArgumentException("Each method may be chosen once.");
        foreach (var method in Methods)
        {
            try
            {
                SimulatedMethods.Validate(method);
            }
            catch (FormatException e)
            {
                throw new ArgumentException(e.Message, e);
            }
        }
        Learning.Validated();
        return this;
    }
}
