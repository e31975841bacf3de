using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Simulation;

/// <summary>The upper bound: one model trained on the union of every peer's training data, the same epochs per round.</summary>
public sealed class CentralizedTraining(SimulationConfig config, Federation federation, ModelWeights initial, Dataset heldOut) : ISimulatedMethod
{
    private readonly IModel _model = Models.Create(initial.Shape);
    private readonly Dataset _union = Dataset.Concat(federation.Peers.Select(p => p.Data.Train).ToList());
    private readonly float[] _values = initial.ToArray();

    public string Name => "centralized";

    public void Train(int round) =>
        _model.Train(_values, _union, config.Learning.Sgd, new Random(Sampling.DeriveSeed(config.Seed, round, 5)));

    public RoundResult Evaluate(int round)
    {
        var evaluation = _model.Evaluate(_values, heldOut);
        return new RoundResult(round, Name, evaluation.Accuracy, evaluation.Loss);
    }
}
