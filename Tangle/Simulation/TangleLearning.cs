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
/// Flooding attackers publish after everyone else, the newest arrivals of the round. Weights beyond the retention horizon
/// are released as on a real peer (<see cref="RetentionScan"/>), so memory stays flat however many rounds run.
/// </summary>
public sealed class TangleLearning : ISimulatedMethod
{
    private readonly SimulationConfig _config;
    private readonly Federation _federation;
    private readonly Dataset _heldOut;
    private readonly InMemoryModelStore _store = new();
    private readonly RetentionScan _retention = new();
    private readonly IReadOnlyList<SimulatedPeer> _evaluated;
    private readonly HashSet<string> _flooders;
    private static readonly IReadOnlySet<string> NothingProtected = new HashSet<string>(); // references are recomputed, never served
    private readonly Queue<(int Round, Transaction Transaction)> _inFlight = new(); // made, not yet seen by the others
    private int _made;

    public TangleLearning(string name, SimulationConfig config, Federation federation, ModelWeights initial, Dataset heldOut)
    {
        Name = name;
        _config = config;
        _federation = federation;
        _heldOut = heldOut;
        _evaluated = SampleEvaluated();
        _flooders = federation.Peers.Where(p => p.Attack?.ApprovesOnlyAllies == true).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        Graph = new TangleGraph(new Transaction("genesis", [], _store.Put(initial), "genesis", 0, TransactionMetrics.None));
    }

    public string Name { get; }

    public TangleGraph Graph { get; }

    /// <summary>Published and skipped training steps so far.</summary>
    public int Published { get; private set; }

    public int Skipped { get; private set; }

    /// <summary>Weights held now: bounded by the retention horizon plus one per publisher.</summary>
    public int HeldWeights => _store.Count;

    public void Train(int round)
    {
        var active = _federation.ActiveIn(round);
        var walkers = active.Where(p => !_flooders.Contains(p.Id)).ToList();
        var outcomes = new TrainingOutcome[walkers.Count];
        Parallel.For(0, walkers.Count, i =>
        {
            var peer = walkers[i];
            var random = new Random(Sampling.DeriveSeed(_config.Seed, round, 2, peer.Index));
            outcomes[i] = TrainingStep.Run(Graph, peer.Data, _store, _config.Learning, random, peer.Attack);
        });

        for (var i = 0; i < walkers.Count; i++)
        {
            var outcome = outcomes[i];
            if (!outcome.ShouldPublish)
            {
                Skipped++;
                continue;
            }
            Publish(outcome.Parents.Select(p => p.Id).ToList(), outcome.Weights, walkers[i].Id, round, outcome.Metrics);
        }
        foreach (var flooder in active.Where(p => _flooders.Contains(p.Id)))
            Flood(flooder, round);
        while (_inFlight.TryPeek(out var next) && next.Round + _config.Delay <= round)
            Add(_inFlight.Dequeue().Transaction);

        _retention.Scan(Graph, _config.RetainedWeights, NothingProtected, (_, transaction) => _store.Release(transaction.WeightsId));
    }

    /// <summary>A Sybil's transactions: each approves only allied tips (genesis before there are any) and carries noise.</summary>
    private void Flood(SimulatedPeer sybil, int round)
    {
        var attack = sybil.Attack!;
        var random = new Random(Sampling.DeriveSeed(_config.Seed, round, 6, sybil.Index));
        var genesis = _store.Get(Graph.Genesis.WeightsId);
        for (var k = 0; k < attack.PublishesPerRound; k++)
        {
            var allies = Graph.Tips.Where(t => _flooders.Contains(Graph[t].Publisher)).ToList();
            var parents = allies.Count == 0
                ? [Graph.Genesis.Id]
                : allies.OrderBy(_ => random.Next()).Take(_config.Learning.ParentCount).Select(t => Graph[t].Id).ToList();
            var weights = attack.PoisonUpdate(genesis, genesis, random);
            Publish(parents, weights, sybil.Id, round, new TransactionMetrics(0, 1, sybil.Data.Train.Count));
        }
    }

    private void Publish(List<string> parents, ModelWeights weights, string publisher, int round, TransactionMetrics metrics)
    {
        var transaction = new Transaction($"tx{_made++}", parents, _store.Put(weights.Transported(_config.Transport)), publisher, round, metrics);
        if (_config.Delay == 0)
            Add(transaction); // at once, so a flood's next transaction can approve it
        else
            _inFlight.Enqueue((round, transaction));
    }

    private void Add(Transaction transaction)
    {
        var added = Graph.Add(transaction);
        if (added.Status != AddStatus.Added)
            throw new InvalidOperationException($"Simulated transaction was not added: {added.Status} {added.Error}");
        Published++;
    }

    /// <summary>Each evaluated peer's reference model on the held-out set, averaged over those peers.</summary>
    public RoundResult Evaluate(int round)
    {
        var evaluated = _evaluated;
        var references = new ReferenceModel[evaluated.Count];
        Parallel.For(0, evaluated.Count, i =>
        {
            var peer = evaluated[i];
            var random = new Random(Sampling.DeriveSeed(_config.Seed, round, 3, peer.Index));
            references[i] = ReferenceOf(peer, random);
        });

        // Peers often agree on the reference: score each distinct model once.
        var distinct = references.DistinctBy(r => r.Key).ToList();
        var scores = new Evaluation[distinct.Count];
        Parallel.For(0, distinct.Count, i => scores[i] = Models.Create(distinct[i].Weights.Shape).Evaluate(distinct[i].Weights.Values, _heldOut));
        var byKey = distinct.Select((r, i) => (r.Key, Score: scores[i])).ToDictionary(e => e.Key, e => e.Score, StringComparer.Ordinal);
        var evaluations = references.Select(r => byKey[r.Key]).ToList();
        var honestIds = _federation.Honest.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var contributors = references.Average(r => ReferenceReach.Contributors(Graph, r, round, honestIds));
        return new RoundResult(round, Name, evaluations.Average(e => e.Accuracy), evaluations.Average(e => e.Loss), Graph.Count, Graph.Tips.Count, contributors);
    }

    /// <summary>The honest peers whose references are scored: all of them, or a sample fixed for the run.</summary>
    private IReadOnlyList<SimulatedPeer> SampleEvaluated()
    {
        var honest = _federation.Honest.ToList();
        if (honest.Count <= _config.EvaluatedPeers)
            return honest;
        var random = new Random(Sampling.DeriveSeed(_config.Seed, 0, 7, 0));
        return [.. honest.OrderBy(_ => random.Next()).Take(_config.EvaluatedPeers).OrderBy(p => p.Index)];
    }

    public ReferenceModel ReferenceOf(SimulatedPeer peer, Random random)
    {
        var learning = _config.Learning;
        var selector = learning.CreateTipSelector(TrainingStep.LocalAccuracy(Graph, peer.Data, _store));
        return ReferenceModel.Select(Graph, _store, peer.Data, selector, learning, random);
    }

}
