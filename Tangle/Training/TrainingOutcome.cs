using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Training;

/// <summary>What a training step chooses in the tangle: the reference's transactions and the parents (and how they did locally), with their weights.</summary>
public sealed record TrainingChoice(
    ReferenceChoice Reference,
    IReadOnlyList<PublishedModel> Parents,
    IReadOnlyList<Evaluation> ParentEvaluations);

/// <summary>What a training step takes from the tangle: the reference, the parents (and how they did locally), and their average.</summary>
public sealed record TrainingPlan(
    ReferenceModel Reference,
    Evaluation ReferenceEvaluation,
    IReadOnlyList<Transaction> Parents,
    IReadOnlyList<Evaluation> ParentEvaluations,
    ModelWeights Start);

/// <summary>
/// What one training step produced. When <see cref="SkipReason"/> is null the caller stores <see cref="Weights"/>
/// and publishes a transaction approving <see cref="Parents"/> with <see cref="Metrics"/>.
/// </summary>
public sealed record TrainingOutcome(
    ReferenceModel Reference,
    Evaluation ReferenceEvaluation,
    IReadOnlyList<Transaction> Parents,
    ModelWeights Weights,
    Evaluation TrainedEvaluation,
    TransactionMetrics Metrics,
    string? SkipReason)
{
    public bool ShouldPublish => SkipReason is null;
}
