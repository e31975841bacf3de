using System.Globalization;
using MlAspire.Tangle.Attacks;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Simulation;
using MlAspire.Tangle.Training;

namespace MlAspire.Simulator;

/// <summary>Command-line options: every one has a default, so a bare run is the reference experiment.</summary>
public sealed record SimulatorOptions(SimulationConfig Config, string OutputDirectory, string DataDirectory, int TrainCount, string Name)
{
    public const string Usage = """
        Simulates N virtual peers learning on a tangle, beside FedAvg and centralized training on the same split.

        Usage: dotnet run -c Release --project Simulator -- [options]

          --peers N               virtual peers (20)
          --rounds N              rounds; each active peer trains once per round (100)
          --partition P           iid | dirichlet:ALPHA | shards:N (dirichlet:0.5)
          --model M               mlp | logreg (mlp)
          --hidden N              MLP hidden units (64)
          --attackers A           KIND:FRACTION[:ARG]: random:0.2, flip:0.2:3-8, scale:0.2:10 (none)
          --seed N                seed for everything (7)
          --epochs N              local epochs per training step (1)
          --batch N               minibatch size (16)
          --lr X                  SGD learning rate (0.05)
          --selector S            cumulative | accuracy | uniform (cumulative)
          --alpha X               walk bias (0.1)
          --particle-depth N      walk start below the tips; 0 starts at genesis (20)
          --parents N             tips each transaction averages and approves (2)
          --candidates N          tips sampled before keeping the best --parents by local loss (= parents)
          --averaging A           mean | samples (samples)
          --reference-samples N   walks sampled to choose the reference (25)
          --reference-top N       reference = average of the top N transactions (1)
          --publish R             reference | parents | always (reference)
          --active X              chance a peer trains in a round (1.0)
          --methods M             comma list of tangle, fedavg, centralized (all)
          --eval-every N          held-out evaluation interval in rounds (1)
          --train-count N         first N digits are the train pool, the rest held out (8000)
          --data DIR              folder with the MNIST IDX files (the copy next to the program)
          --out DIR               where the CSV and chart go (out/simulations)
          --name NAME             file name stem (derived from the options)
        """;

    public static SimulatorOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var key = args[i];
            if (!key.StartsWith("--", StringComparison.Ordinal) || !Known.Contains(key[2..]))
                throw new ArgumentException($"Unknown option '{key}'. Run with --help for the list.");
            if (i + 1 >= args.Count)
                throw new ArgumentException($"Option '{key}' needs a value.");
            values[key[2..]] = args[++i];
        }

        string Text(string key, string fallback) => values.GetValueOrDefault(key, fallback);
        int Int(string key, int fallback) => values.TryGetValue(key, out var v)
            ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"--{key} expects a whole number, got '{v}'.")
            : fallback;
        double Real(string key, double fallback) => values.TryGetValue(key, out var v)
            ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : throw new ArgumentException($"--{key} expects a number, got '{v}'.")
            : fallback;
        T Choice<T>(string key, T fallback, params (string Name, T Value)[] choices) => values.TryGetValue(key, out var v)
            ? choices.FirstOrDefault(c => c.Name == v) is { Name: not null } hit ? hit.Value : throw new ArgumentException($"--{key} expects one of {string.Join(", ", choices.Select(c => c.Name))}, got '{v}'.")
            : fallback;

        var parents = Int("parents", 2);
        var particleDepth = Int("particle-depth", 20);
        var learning = new LearningParameters
        {
            TipSelector = Choice("selector", TipSelectorKind.CumulativeWeight, ("cumulative", TipSelectorKind.CumulativeWeight), ("accuracy", TipSelectorKind.Accuracy), ("uniform", TipSelectorKind.Uniform)),
            Alpha = Real("alpha", 0.1),
            ParticleDepth = particleDepth == 0 ? null : particleDepth,
            ParentCount = parents,
            TipCandidates = Int("candidates", parents),
            Averaging = Choice("averaging", AveragingKind.SampleWeighted, ("mean", AveragingKind.Mean), ("samples", AveragingKind.SampleWeighted)),
            ReferenceSamples = Int("reference-samples", 25),
            ReferenceTopK = Int("reference-top", 1),
            PublishRule = Choice("publish", PublishRuleKind.BetterThanReference, ("reference", PublishRuleKind.BetterThanReference), ("parents", PublishRuleKind.BetterThanParents), ("always", PublishRuleKind.Always)),
            Sgd = new SgdOptions(Int("epochs", 1), Int("batch", 16), (float)Real("lr", 0.05)),
        };
        var hidden = Int("hidden", 64);
        var config = new SimulationConfig
        {
            Peers = Int("peers", 20),
            Rounds = Int("rounds", 100),
            Partition = Text("partition", "dirichlet:0.5"),
            Model = Choice("model", ModelShape.Mlp(784, hidden, 10), ("mlp", ModelShape.Mlp(784, hidden, 10)), ("logreg", ModelShape.LogisticRegression(784, 10))),
            Attack = values.TryGetValue("attackers", out var attack) ? AttackSpec.Parse(attack) : null,
            Seed = Int("seed", 7),
            Learning = learning,
            ActiveQuota = Real("active", 1.0),
            EvaluateEvery = Int("eval-every", 1),
            Methods = Text("methods", "tangle,fedavg,centralized").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(m => Enum.TryParse<SimulatedMethodKind>(m, ignoreCase: true, out var kind) ? kind : throw new ArgumentException($"--methods: unknown method '{m}'."))
                .ToList(),
        };
        config.Validated();
        _ = MlAspire.Tangle.Data.Partitioning.Partitioners.Parse(config.Partition); // fail on a bad split before loading data

        var name = Text("name", string.Join('_',
            $"p{config.Peers}", $"r{config.Rounds}", config.Partition.Replace(':', '-'), values.GetValueOrDefault("model", "mlp"),
            config.Attack is null ? "clean" : config.Attack.ToString().Replace(':', '-'), $"s{config.Seed}"));
        return new SimulatorOptions(config, Text("out", Path.Combine("out", "simulations")), Text("data", Path.Combine(AppContext.BaseDirectory, "data", "mnist")), Int("train-count", 8000), name);
    }

    private static readonly HashSet<string> Known =
    [
        "peers", "rounds", "partition", "model", "hidden", "attackers", "seed", "epochs", "batch", "lr", "selector", "alpha",
        "particle-depth", "parents", "candidates", "averaging", "reference-samples", "reference-top", "publish", "active",
        "methods", "eval-every", "train-count", "data", "out", "name",
    ];
}
