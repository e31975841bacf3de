using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Simulation;

/// <summary>Runs the configured methods side by side, round by round, on one federation and one initial model.</summary>
public static class SimulationRunner
{
    /// <param name="onRound">Called after every method finished a round (round, results evaluated in it).</param>
    public static IReadOnlyList<RoundResult> Run(SimulationConfig config, Dataset trainPool, Dataset heldOut, Action<int, IReadOnlyList<RoundResult>>? onRound = null)
    {
        config.Validated();
        var methods = CreateMethods(config, trainPool, heldOut);
        var results = new List<RoundResult>();
        for (var round = 1; round <= config.Rounds; round++)
        {
            var evaluated = new List<RoundResult>();
            foreach (var method in methods)
            {
                method.Train(round);
                if (round % config.EvaluateEvery == 0 || round == config.Rounds)
                    evaluated.Add(method.Evaluate(round));
            }
            results.AddRange(evaluated);
            onRound?.Invoke(round, evaluated);
        }
        return results;
    }

    public static IReadOnlyList<ISimulatedMethod> CreateMethods(SimulationConfig config, Dataset trainPool, Dataset heldOut)
    {
        var federation = Federation.Create(config, trainPool);
        var initial = Learning.Models.Create(config.Model).Initialize(new Random(Sampling.DeriveSeed(config.Seed, 0, 0)));
        var context = new MethodContext(config, federation, initial, heldOut);
        return config.Methods.Select(spec => SimulatedMethods.Create(spec, context)).ToList();
    }
}
