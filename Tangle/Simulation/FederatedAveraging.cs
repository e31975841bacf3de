using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Simulation;

/// <summary>
/// The FedAvg baseline (McMahan et al. 2017): each round every active peer trains the global model on its data and a
/// server combines the results with <paramref name="aggregator"/>: weighted by sample counts (plain FedAvg, no defence:
/// an attacker's update is averaged like any other) or with a robust rule such as the median or Multi-Krum.
/// </summary>
public sealed class FederatedAveraging(string name, IAggregator aggregator, SimulationConfig config, Federation federation, ModelWeights initial, Dataset heldOut) : ISimulatedMethod
{
    private readonly IModel _model = Models.Create(initial.Shape);
    private ModelWeights _global = initial;

    public string Name => name;

    public void Train(int round)
    {
        var active = federation.ActiveIn(round);
        var updates = new ModelWeights?[active.Count];
        Parallel.For(0, active.Count, i =>
        {
            var peer = active[i];
            var random = new Random(Sampling.DeriveSeed(config.Seed, round, 4, peer.Index));
            var data = peer.Attack?.PoisonData(peer.Data.Train) ?? peer.Data.Train;
            var values = _global.ToArray();
            if (peer.Attack?.Trains ?? true)
                _model.Train(values, data, config.Learning.Sgd, random);
            if (!values.All(float.IsFinite))
                return; // a diverged update is dropped, as a server would
            var trained = new ModelWeights(_global.Shape, values);
            updates[i] = (peer.Attack?.PoisonUpdate(trained, _global, random) ?? trained).Transported(config.Transport);
        });

        var received = Enumerable.Range(0, active.Count).Where(i => updates[i] is not null).ToList();
        if (received.Count == 0)
            return;
        // The server knows how many samples each client holds; a Sybil counts as one client per identity.
        _global = aggregator.Aggregate(received.Select(i => new PublishedModel(
            new Transaction($"update-{active[i].Index}", [], "", active[i].Id, round, new TransactionMetrics(double.NaN, double.NaN, active[i].Data.Train.Count)),
            updates[i]!)).ToList()).Transported(config.Transport); // the model the clients download next round
    }

    public RoundResult Evaluate(int round)
    {
        var evaluation = _model.Evaluate(_global.Values, heldOut);
        return new RoundResult(round, Name, evaluation.Accuracy, evaluation.Loss);
    }
}
