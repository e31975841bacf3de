using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Simulation;

/// <summary>
/// The FedAvg baseline (McMahan et al. 2017): each round every active peer trains the global model on its data and a
/// server averages the results weighted by sample counts. No defence: an attacker's update is averaged like any other.
/// </summary>
public sealed class FederatedAveraging(SimulationConfig config, Federation federation, ModelWeights initial, Dataset heldOut) : ISimulatedMethod
{
    private readonly IModel _model = Models.Create(initial.Shape);
    private ModelWeights _global = initial;

    public string Name => "fedavg";

    public void Train(int round)
    {
        var roundRandom = new Random(Sampling.DeriveSeed(config.Seed, round, 1));
        var active = federation.Peers.Where(_ => roundRandom.NextDouble() < config.ActiveQuota).ToList();
        var updates = new ModelWeights?[active.Count];
        Parallel.For(0, active.Count, i =>
        {
            var peer = active[i];
            var random = new Random(Sampling.DeriveSeed(config.Seed, round, 4, peer.Index));
            var data = peer.Attack?.PoisonData(peer.Data.Train) ?? peer.Data.Train;
            var values = _global.ToArray();
            _model.Train(values, data, config.Learning.Sgd, random);
            if (!values.All(float.IsFinite))
                return; // a diverged update is dropped, as a server would
            var trained = new ModelWeights(_global.Shape, values);
            updates[i] = peer.Attack?.PoisonUpdate(trained, _global, random) ?? trained;
        });

        var received = Enumerable.Range(0, active.Count).Where(i => updates[i] is not null).ToList();
        if (received.Count == 0)
            return;
        var averaged = ModelAveraging.Average(
            received.Select(i => updates[i]!).ToList(),
            received.Select(i => (double)active[i].Data.Train.Count).ToList());
        _global = averaged;
    }

    public RoundResult Evaluate(int round)
    {
        var evaluation = _model.Evaluate(_global.Values, heldOut);
        return new RoundResult(round, Name, evaluation.Accuracy, evaluation.Loss);
    }
}
