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
    // Each entry reads its argument first (so a bad spec fails before anything is built) and returns how to build the method.
    private static readonly Dictionary<string, (string Usage, Func<string, string?, Func<MethodContext, ISimulatedMethod>> Bind)> Registry = new(StringComparer.Ordinal)
    {
        ["tangle"] = ("tangle", (name, argument) => NoArgument(name, argument, c => new TangleLearning(name, c.Config, c.Federation, c.Initial, c.HeldOut))),
        ["tangle-undefended"] = ("tangle-undefended", (name, argument) => NoArgument(name, argument,
            c => new TangleLearning(name, c.Config with { Learning = Undefended(c.Config.Learning) }, c.Federation, c.Initial, c.HeldOut))),
        ["fedavg"] = ("fedavg[:AGGREGATOR]", (name, argument) =>
        {
            var aggregator = Aggregators.Create(argument ?? "samples");
            return c => new FederatedAveraging(name, aggregator, c.Config, c.Federation, c.Initial, c.HeldOut);
        }),
        ["centralized"] = ("centralized", (name, argument) => NoArgument(name, argument, c => new CentralizedTraining(c.Config, c.Federation, c.Initial, c.HeldOut))),
    };

    /// <summary>What <see cref="Create"/> accepts, for help texts.</summary>
    public static string Usage => string.Join(" | ", Registry.Values.Select(r => r.Usage));

    /// <exception cref="FormatException">Unknown method, or an argument it does not take.</exception>
    public static ISimulatedMethod Create(string spec, MethodContext context) => Bind(spec)(context);

    /// <summary>Throws the <see cref="FormatException"/> <see cref="Create"/> would, without building anything.</summary>
    public static void Validate(string spec) => _ = Bind(spec);

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
        ScreeningStandardErrors = 0,
        Aggregator = "samples",
    };

    private static Func<MethodContext, ISimulatedMethod> Bind(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(':', 2);
        return Registry.TryGetValue(parts[0], out var entry)
            ? entry.Bind(spec, parts.Length == 2 ? parts[1] : null)
            : throw new FormatException($"Unknown method '{parts[0]}'; use {Usage}.");
    }

    private static Func<MethodContext, ISimulatedMethod> NoArgument(string name, string? argument, Func<MethodContext, ISimulatedMethod> build) =>
        argument is null ? build : throw new FormatException($"Method '{name}' takes no argument.");
}
