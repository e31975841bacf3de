using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Simulation;

/// <summary>What every method learns from: the same federation, initial model and held-out set.</summary>
public sealed record MethodContext(SimulationConfig Config, Federation Federation, ModelWeights Initial, Dataset HeldOut);

/// <summary>
/// Every method by spec: <c>tangle</c> (the configured, defended tangle), <c>tangle-undefended</c>, <c>fedavg</c> or
/// <c>fedavg:AGGREGATOR</c> (e.g. <c>fedavg:median</c>, <c>fedavg:multi-krum:4</c>) and <c>centralized</c>. Adding a
/// method is its own file and one line in <see cref="Registry"/>.
/// </summary>
public static class SimulatedMethods
{
    private static readonly Dictionary<string, (string Usage, Func<string, string?, MethodContext, ISimulatedMethod> Create)> Registry = new(StringComparer.Ordinal)
    {
        ["tangle"] = ("tangle", (name, _, c) => new TangleLearning(name, c.Config, c.Federation, c.Initial, c.HeldOut)),
        ["tangle-undefended"] = ("tangle-undefended", (name, _, c) => new TangleLearning(name, c.Config with { Learning = Undefended(c.Config.Learning) }, c.Federation, c.Initial, c.HeldOut)),
        ["fedavg"] = ("fedavg[:AGGREGATOR]", (name, aggregator, c) => new FederatedAveraging(name, Aggregators.Create(aggregator ?? "samples"), c.Config, c.Federation, c.Initial, c.HeldOut)),
        ["centralized"] = ("centralized", (_, _, c) => new CentralizedTraining(c.Config, c.Federation, c.Initial, c.HeldOut)),
    };

    /// <summary>What <see cref="Create"/> accepts, for help texts.</summary>
    public static string Usage => string.Join(" | ", Registry.Values.Select(r => r.Usage));

    /// <exception cref="FormatException">Unknown method, or an argument it does not take.</exception>
    public static ISimulatedMethod Create(string spec, MethodContext context) => Entry(spec).Create(spec, Argument(spec), context);

    /// <summary>Throws the <see cref="FormatException"/> <see cref="Create"/> would, without building anything.</summary>
    public static void Validate(string spec)
    {
        var (name, argument) = (spec.Split(':', 2)[0], Argument(spec));
        _ = Entry(spec);
        if (name == "fedavg" && argument is not null)
            _ = Aggregators.Create(argument);
        else if (argument is not null)
            throw new FormatException($"Method '{name}' takes no argument.");
    }

    /// <summary>
    /// The tangle without its poisoning defences: the cumulative-weight walk (alpha 0.1) and no oversampling, so every
    /// sampled tip is averaged and the reference averages the top-ranked transactions unscreened.
    /// </summary>
    public static LearningParameters Undefended(LearningParameters learning) => learning with
    {
        TipSelector = TipSelectorKind.CumulativeWeight,
        Alpha = 0.1,
        TipCandidates = learning.ParentCount,
        ReferenceCandidates = learning.ReferenceTopK,
        Aggregator = "samples",
    };

    private static (string Usage, Func<string, string?, MethodContext, ISimulatedMethod> Create) Entry(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var name = spec.Split(':', 2)[0];
        return Registry.TryGetValue(name, out var entry) ? entry : throw new FormatException($"Unknown method '{name}'; use {Usage}.");
    }

    private static string? Argument(string spec) => spec.Split(':', 2) is [_, var argument] ? argument : null;
}
