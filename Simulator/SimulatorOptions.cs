using System.Globalization;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Attacks;
using MlAspire.Storage.Datasets;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Learning.Architectures;
using MlAspire.Tangle.Simulation;
using MlAspire.Tangle.Training;

namespace MlAspire.Simulator;

/// <summary>Command-line options: every one has a default, so a bare run is the reference experiment.</summary>
public sealed record SimulatorOptions(SimulationConfig Config, string OutputDirectory, string Data, DataPool Pool, int? TrainCount, string Name, string ModelName, int Hidden)
{
    private static readonly SimulationConfig Defaults = new();
    private static readonly LearningParameters Learn = Defaults.Learning;
    private const int DefaultHidden = 64;

    /// <summary>The model for MNIST-sized samples (784 values, 10 classes), before the data is loaded.</summary>
    private static ModelShape Model(string name, int hidden) => ModelArchitectures.Resolve(name, ActivationShape.Flat(784), 10, hidden);

    public static string Usage => $"""
        Simulates N virtual peers learning on a tangle, beside FedAvg and centralized training on the same split.

        Usage: dotnet run -c Release --project Simulator -- [options]
               dotnet run -c Release --project Simulator -- report DIR   (tables and charts of docs/matrix.sh's runs)
               dotnet run -c Release --project Simulator -- evaluate MODEL.onnx [--data D]   (ML.NET: accuracy of an exported model on the held-out set)
               dotnet run -c Release --project Simulator -- predict MODEL.onnx IMAGE.png...   (ML.NET: each image's class)

          --peers N               virtual peers ({Defaults.Peers})
          --rounds N              rounds; each active peer trains once per round ({Defaults.Rounds})
          --partition P           iid | dirichlet:ALPHA | shards:N ({Defaults.Partition})
          --model M               {ModelArchitectures.Names}, or layers such as "input:784, dense:64, relu, dense:10, softmax" (mlp)
          --hidden N              MLP hidden units ({DefaultHidden})
          --attackers A           KIND:FRACTION[:ARG] (none); KIND[:ARG] is one of
                                  {AttackSpec.Usage}
          --seed N                seed for everything ({Defaults.Seed})
          --epochs N              local epochs per training step ({Learn.Sgd.Epochs})
          --batch N               minibatch size ({Learn.Sgd.BatchSize})
          --lr X                  SGD learning rate ({Learn.Sgd.LearningRate})
          --selector S            accuracy | cumulative | uniform ({Show(Selectors, Learn.TipSelector)})
          --alpha X               walk bias ({Learn.Alpha}; use about 0.1 with cumulative)
          --particle-depth N      walk start below the newest transactions; 0 starts at genesis ({Learn.ParticleDepth})
          --rated-approvers N     approvers an accuracy-weighted walk step rates first, up to 16 when none is close ({Learn.RatedApprovers})
          --parents N             tips each transaction averages and approves ({Learn.ParentCount})
          --candidates N          tips sampled before keeping the best --parents by local loss ({Learn.TipCandidates})
          --aggregator A          how parents and the reference are combined ({Learn.Aggregator}):
                                  {Aggregators.Usage}
          --reference-samples N   walks sampled to choose the reference ({Learn.ReferenceSamples})
          --reference-top N       reference = average of the top N transactions ({Learn.ReferenceTopK})
          --reference-candidates N  best-ranked transactions screened by local loss before keeping --reference-top ({Learn.ReferenceCandidates})
          --screen X              leave out parents and reference candidates X standard errors below the best locally; 0 keeps all ({Learn.ScreeningStandardErrors})
          --publish R             reference | parents | always ({Show(PublishRules, Learn.PublishRule)})
          --active X|LO-HI        chance a peer trains in a round; LO-HI spreads peers' speeds evenly ({Defaults.ActiveQuota})
          --churn X               chance per round that a peer leaves, or, once gone, rejoins ({Defaults.Churn})
          --delay N               rounds before a transaction reaches the others: peers build on stale tips ({Defaults.Delay})
          --methods M             comma list ({string.Join(",", Defaults.Methods)}) of
                                  {SimulatedMethods.Usage}
          --eval-every N          held-out evaluation interval in rounds ({Defaults.EvaluateEvery})
          --eval-peers N          tangle accuracy: the mean over a fixed sample of N honest peers' references ({Defaults.EvaluatedPeers})
          --transport P           float32 | float16: how published weights travel (tangle transactions, FedAvg updates and model) (float32)
          --retain N              weights the tangle keeps: the newest N transactions' plus each publisher's newest ({Defaults.RetainedWeights})
          --data D                mnist (the copy next to the program), fashion-mnist ({DatasetFormats.FashionMnistDirectory},
                                  apt-get install dataset-fashion-mnist), or a path to {DatasetFormats.Usage} (mnist)
          --pool P                test: the dataset's test set (or its only set), the first --train-count the train pool
                                  and the rest held out; train: its separate training set is the pool, the test set held out (test)
          --train-count N         samples in the train pool (80 % of the test set: 8,000 of MNIST's 10,000; the whole training set)
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
        double Real(string key, double fallback) => values.TryGetValue(key, out var v) ? Number(key, v) : fallback;
        static double Number(string key, string v) =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : throw new ArgumentException($"--{key} expects a number, got '{v}'.");
        T Choice<T>(string key, T fallback, params (string Name, T Value)[] choices) => values.TryGetValue(key, out var v)
            ? choices.FirstOrDefault(c => c.Name == v) is { Name: not null } hit ? hit.Value : throw new ArgumentException($"--{key} expects one of {string.Join(", ", choices.Select(c => c.Name))}, got '{v}'.")
            : fallback;

        var parents = Int("parents", Learn.ParentCount);
        var particleDepth = Int("particle-depth", Learn.ParticleDepth ?? 0);
        var referenceTop = Int("reference-top", Learn.ReferenceTopK);
        var learning = new LearningParameters
        {
            TipSelector = Choice("selector", Learn.TipSelector, Selectors),
            Alpha = Real("alpha", Learn.Alpha),
            ParticleDepth = particleDepth == 0 ? null : particleDepth,
            ParentCount = parents,
            TipCandidates = Int("candidates", Math.Max(parents, Learn.TipCandidates)),
            Aggregator = Text("aggregator", Learn.Aggregator),
            ReferenceSamples = Int("reference-samples", Learn.ReferenceSamples),
            ReferenceTopK = referenceTop,
            ReferenceCandidates = Int("reference-candidates", Math.Max(referenceTop, Learn.ReferenceCandidates)),
            ScreeningStandardErrors = Real("screen", Learn.ScreeningStandardErrors),
            RatedApprovers = Int("rated-approvers", Learn.RatedApprovers),
            PublishRule = Choice("publish", Learn.PublishRule, PublishRules),
            Sgd = new SgdOptions(Int("epochs", Learn.Sgd.Epochs), Int("batch", Learn.Sgd.BatchSize), (float)Real("lr", Learn.Sgd.LearningRate)),
        };
        var hidden = Int("hidden", DefaultHidden);
        var modelName = Text("model", "mlp");
        var activity = values.TryGetValue("active", out var active)
            ? active.Split('-') is [var slowest, var fastest] ? (Slowest: Number("active", slowest), Fastest: Number("active", fastest)) : (Slowest: Number("active", active), Fastest: Number("active", active))
            : (Slowest: Defaults.SlowestQuota, Fastest: Defaults.ActiveQuota);
        var config = new SimulationConfig
        {
            Peers = Int("peers", Defaults.Peers),
            Rounds = Int("rounds", Defaults.Rounds),
            Partition = Text("partition", Defaults.Partition),
            // Resolved again for the dataset's samples once it is loaded; this fails on a bad model before loading data.
            Model = Model(modelName, hidden),
            Attack = values.TryGetValue("attackers", out var attack) ? AttackSpec.Parse(attack) : null,
            Seed = Int("seed", Defaults.Seed),
            Learning = learning,
            ActiveQuota = activity.Fastest,
            SlowestQuota = activity.Slowest,
            Churn = Real("churn", Defaults.Churn),
            Delay = Int("delay", Defaults.Delay),
            EvaluateEvery = Int("eval-every", Defaults.EvaluateEvery),
            EvaluatedPeers = Int("eval-peers", Defaults.EvaluatedPeers),
            RetainedWeights = Int("retain", Defaults.RetainedWeights),
            Transport = Choice("transport", Defaults.Transport, ("float32", WeightPrecision.Float32), ("float16", WeightPrecision.Float16)),
            Methods = values.TryGetValue("methods", out var methods)
                ? methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : Defaults.Methods,
        };
        config.Validated();
        _ = MlAspire.Tangle.Data.Partitioning.Partitioners.Parse(config.Partition); // fail on a bad split before loading data

        // Everything that changes the numbers is in the default name, so one run does not overwrite another's CSV.
        var data = values.GetValueOrDefault("data", "mnist");
        var name = Text("name", string.Join('_', new[]
        {
            data == "mnist" ? null : Path.GetFileName(data.TrimEnd('/')), values.GetValueOrDefault("pool") is "train" ? "train-pool" : null,
            $"p{config.Peers}", $"r{config.Rounds}", config.Partition.Replace(':', '-'), modelName.Contains(',') ? "layers" : modelName,
            config.Attack is null ? "clean" : config.Attack.ToString().Replace(':', '-'), $"s{config.Seed}",
            config.Transport == WeightPrecision.Float32 ? null : config.Transport.ToString().ToLowerInvariant(),
        }.OfType<string>()));
        var pool = Choice("pool", DataPool.Test, ("test", DataPool.Test), ("train", DataPool.Train));
        return new SimulatorOptions(config, Text("out", Path.Combine("out", "simulations")), Text("data", "mnist"),
            pool, values.ContainsKey("train-count") ? Int("train-count", 0) : null, name, modelName, hidden);
    }

    /// <summary>Where the <c>mnist</c> dataset is: the copy the build puts next to the program.</summary>
    public static string MnistDirectory => Path.Combine(AppContext.BaseDirectory, "data", "mnist");

    private static readonly (string Name, TipSelectorKind Value)[] Selectors =
        [("accuracy", TipSelectorKind.Accuracy), ("cumulative", TipSelectorKind.CumulativeWeight), ("uniform", TipSelectorKind.Uniform)];

    private static readonly (string Name, PublishRuleKind Value)[] PublishRules =
        [("reference", PublishRuleKind.BetterThanReference), ("parents", PublishRuleKind.BetterThanParents), ("always", PublishRuleKind.Always)];

    private static string Show<T>((string Name, T Value)[] choices, T value) => choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, value)).Name;

    private static readonly HashSet<string> Known =
    [
        "peers", "rounds", "partition", "model", "hidden", "attackers", "seed", "epochs", "batch", "lr", "selector", "alpha",
        "particle-depth", "parents", "candidates", "aggregator", "reference-samples", "reference-top", "reference-candidates", "screen", "rated-approvers", "publish", "active",
        "churn", "delay", "methods", "eval-every", "eval-peers", "retain", "transport", "train-count", "data", "pool", "out", "name",
    ];
}

/// <summary>Which of the data folder's sets is partitioned over the peers.</summary>
public enum DataPool { Test, Train }
