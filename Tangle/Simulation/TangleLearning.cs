using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Simulation;

/// <summary>
/// Virtual peers growing one tangle with the same <see cref="TrainingStep"/> a real peer runs. Peers of a round train
/// in parallel on the tangle as it stood when the round began (as real peers do, who cannot see each other's work in
/// flight); their transactions are added after the round in peer order, so results do not depend on thread timing.
/// </summary>
public sealed class TangleLearning : ISimulatedMethod
{
    private readonly SimulationConfig _config;
    private readonly Federation _federation;
    private readonly Dataset _heldOut;
    private readonly InMemoryModelStore _store = new();
    private readonly Dictionary<string, Evaluation> _heldOutEvaluations = new(StringComparer.Ordinal);

    public TangleLearning(SimulationConfig config, Federation federation, ModelWeights initial, Dataset heldOut)
    {
        _config = config;
        _federation = federation;
        _heldOut = heldOut;
        Graph = new TangleGraph(new Transaction("genesis", [], _store.Put(initial), "genesis", 0, TransactionMetrics.None));
    }

    public string Name => "tangle";

    public TangleGraph Graph { get; }

    /// <summary>Published and skipped training steps so far.</summary>
    public int Published { get; private set; }

    public int Skipped { get; private set; }

    public void Train(int round)
    {
        var roundRandom = new Random(Sampling.DeriveSeed(_config.Seed, round, 1));
        var active = _federation.Peers.Where(_ => roundRandom.NextDouble() < _config.ActiveQuota).ToList();
        var outcomes = new TrainingOutcome[active.Count];
        Parallel.For(0, active.Count, i =>
        {
            var peer = active[i];
            var random = new Random(Sampling.DeriveSeed(_config.Seed, round, 2, peer.Index));
            outcomes[i] = TrainingStep.Run(Graph, peer.Data, _store, _config.Learning, random, peer.Attack);
        });

        for (var i = 0; i < active.Count; i++)
        {
            var outcome = outcomes[i];
            if (!outcome.ShouldPublish)
            {
                Skipped++;
                continue;
            }
            var transaction = new Transaction(
                $"tx{Graph.Count}", outcome.Parents.Select(p => p.Id).ToList(), _store.Put(outcome.Weights), active[i].Id, round, outcome.Metrics);
            var added = Graph.Add(transaction);
            if (added.Status != AddStatus.Added)
                throw new InvalidOperationException($"Simulated transaction was not added: {added.Status} {added.Error}");
            Published++;
        }
    }

    /// <summary>Each honest peer's reference model on the held-out set, averaged over the peers.</summary>
    public RoundResult Evaluate(int round)
    {
        var honest = _federation.Honest.ToList();
        var references = new ReferenceModel[honest.Count];
        Parallel.For(0, honest.Count, i =>
        {
            var peer = honest[i];
            var random = new Random(Sampling.DeriveSeed(_config.Seed, round, 3, peer.Index));
            references[i] = ReferenceOf(peer, random);
        });

        var evaluations = references.Select(r => HeldOut(r)).ToList();
        return new RoundResult(round, Name, evaluations.Average(e => e.Accuracy), evaluations.Average(e => e.Loss), Graph.Count, Graph.Tips.Count);
    }

    public ReferenceModel ReferenceOf(SimulatedPeer peer, Random random)
    {
        var learning = _config.Learning;
        var selector = learning.CreateTipSelector(TrainingStep.LocalAccuracy(Graph, peer.Data, _store));
        return ReferenceModel.Select(Graph, _store, peer.Data, selector, learning, random);
    }

    // Peers often agree on the reference: evaluate each distinct model once.
    private Evaluation HeldOut(ReferenceModel reference)
    {
        if (!_heldOutEvaluations.TryGetValue(reference.Key, out var evaluation))
            _heldOutEvaluations[reference.Key] = evaluation = Models.Create(reference.Weights.Shape).Evaluate(reference.Weights.Values, _heldOut);
        return evaluation;
    }
}
