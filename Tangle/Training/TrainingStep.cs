using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Attacks;
using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Publishing;
using MlAspire.Tangle.TipSelection;

namespace MlAspire.Tangle.Training;

/// <summary>
/// One round of a peer's learning, as a function of the tangle, its data, the model store, the parameters and a
/// random source: choose the reference, select and filter tips, average them, train locally, decide whether to publish.
/// It only reads the tangle, so many peers may run it in parallel on one replica.
/// </summary>
public static class TrainingStep
{
    public static TrainingOutcome Run(TangleGraph graph, LocalData local, IModelStore store, LearningParameters parameters, Random random, IAttack? attack = null) =>
        Complete(Plan(graph, local, store, parameters, random), local, parameters, random, attack);

    /// <summary>The reference and its evaluation, the parents chosen and screened, and their average, where training starts.</summary>
    public static TrainingPlan Plan(TangleGraph graph, LocalData local, IModelStore store, LearningParameters parameters, Random random) =>
        Plan(Choose(graph, local, store, parameters, random), local, parameters);

    /// <summary>
    /// The part of a step that reads the tangle: the reference's transactions and the parents, chosen and screened, with
    /// their weights. A peer runs it while nothing is inserted; <see cref="Plan(TrainingChoice, LocalData, LearningParameters)"/>
    /// and <see cref="Complete"/> need no tangle.
    /// </summary>
    public static TrainingChoice Choose(TangleGraph graph, LocalData local, IModelStore store, LearningParameters parameters, Random random)
    {
        parameters.Validated();
        var selector = parameters.CreateTipSelector(LocalAccuracy(graph, local, store));
        // One set of walks serves both: the reference's confidence is measured on them, and the parents are the first
        // of them. Walks are most of a step's cost (each rates the approvers it passes on local data).
        var tips = new ReferenceSelector(selector, parameters.ReferenceSamples).SampleTips(graph, random);
        var reference = ReferenceModel.Choose(graph, store, local, tips, parameters);
        var parents = ChooseParents(graph, local, store, selector, parameters, random, tips);
        return new TrainingChoice(reference, [.. parents.Select(p => p.Model)], [.. parents.Select(p => p.Evaluation)]);
    }

    /// <summary>Averages what <see cref="Choose"/> chose: the reference (and evaluates it) and the parents, where training starts.</summary>
    public static TrainingPlan Plan(TrainingChoice choice, LocalData local, LearningParameters parameters)
    {
        var reference = choice.Reference.Combine(parameters);
        var referenceEvaluation = local.Evaluate(reference.Key, reference.Weights);
        var start = parameters.CreateAggregator().Aggregate(choice.Parents);
        return new TrainingPlan(reference, referenceEvaluation, [.. choice.Parents.Select(p => p.Transaction)], choice.ParentEvaluations, start);
    }

    /// <summary>Trains from the plan's start on local data, evaluates, and decides whether to publish.</summary>
    public static TrainingOutcome Complete(TrainingPlan plan, LocalData local, LearningParameters parameters, Random random, IAttack? attack = null)
    {
        var start = plan.Start;
        var model = Models.Create(start.Shape);
        var trainData = attack?.PoisonData(local.Train) ?? local.Train;
        var values = start.ToArray();
        if (attack?.Trains ?? true)
            model.Train(values, trainData, parameters.Sgd, random);
        if (!values.All(float.IsFinite))
            return new TrainingOutcome(plan.Reference, plan.ReferenceEvaluation, plan.Parents, start, new Evaluation(double.NaN, double.NaN),
                TransactionMetrics.None, "training diverged (non-finite weights); lower the learning rate");

        var trained = new ModelWeights(start.Shape, values);
        var trainedEvaluation = model.Evaluate(trained.Values, local.Test);
        var metrics = new TransactionMetrics(trainedEvaluation.Loss, trainedEvaluation.Accuracy, trainData.Count);
        var (published, skipReason) = attack is not null
            ? (attack.PoisonUpdate(trained, start, random), null) // an attacker publishes whatever its test says
            : (trained, parameters.CreatePublishRule().Reject(new PublishEvidence(trainedEvaluation, plan.ReferenceEvaluation, plan.ParentEvaluations)));
        return new TrainingOutcome(plan.Reference, plan.ReferenceEvaluation, plan.Parents, published, trainedEvaluation, metrics, skipReason);
    }

    /// <summary>
    /// Samples <see cref="LearningParameters.TipCandidates"/> tips and keeps the <see cref="LearningParameters.ParentCount"/>
    /// with the lowest local loss: with oversampling, a poisoned tip has to beat honest ones on this peer's data to be approved.
    /// </summary>
    /// <param name="drawn">Tips already drawn by the selector, taken first.</param>
    private static List<Parent> ChooseParents(TangleGraph graph, LocalData local, IModelStore store, ITipSelector selector, LearningParameters parameters, Random random,
        IReadOnlyList<int> drawn)
    {
        // Tips whose weights were released cannot be averaged: draw again, a bounded number of times, for enough that can.
        var sampled = new List<int>();
        var held = 0;
        for (var draw = 0; draw < 4 * parameters.TipCandidates && held < parameters.TipCandidates; draw++)
        {
            var tip = draw < drawn.Count ? drawn[draw] : selector.SelectTip(graph, random);
            if (!sampled.Contains(tip))
                sampled.Add(tip);
            if (store.TryGet(graph[tip].WeightsId, out _))
                held++; // counted per draw, so with every tip's weights held this draws TipCandidates times, as it always did
        }
        var candidates = sampled
            .Where(sequence => store.TryGet(graph[sequence].WeightsId, out _))
            .Select(sequence =>
            {
                var transaction = graph[sequence];
                var weights = store.Get(transaction.WeightsId);
                return new Parent(sequence, new PublishedModel(transaction, weights), local.Evaluate(transaction.WeightsId, weights));
            })
            .ToList();
        var parents = LocalScreen.KeepComparable(candidates, p => p.Evaluation, local.Test.Count, parameters.ScreeningStandardErrors)
            .OrderBy(p => p.Evaluation.Loss)
            .ThenByDescending(p => p.Sequence)
            .Take(parameters.ParentCount)
            .ToList();
        return parents.Count > 0 ? parents : throw new KeyNotFoundException("None of the sampled tips has its weights available here.");
    }

    /// <summary>
    /// Accuracy on local data. A transaction whose weights are not held counts as useless, so walks avoid it, unless
    /// this peer judged it while they were and others approve it: a real peer keeps only the newest weights in memory,
    /// and a walk crossing older transactions rates them as it did before. A tip without weights stays useless, since
    /// a walk that ends there has nothing to average.
    /// </summary>
    public static Func<int, double> LocalAccuracy(TangleGraph graph, LocalData local, IModelStore store) => sequence =>
    {
        var weightsId = graph[sequence].WeightsId;
        return store.TryGet(weightsId, out var weights) ? local.Evaluate(weightsId, weights).Accuracy
            : !graph.IsTip(sequence) && local.TryRecall(weightsId, out var judged) ? judged.Accuracy
            : 0.0;
    };


    private sealed record Parent(int Sequence, PublishedModel Model, Evaluation Evaluation);
}
