using MlAspire.Bootstrap.Grpc;
using MlAspire.Tangle;
using MlAspire.Tangle.Training;
using Domain = MlAspire.Tangle.Training;
using Learning = MlAspire.Tangle.Learning;

namespace MlAspire.Peer.Hosting;

/// <summary>Bootstrap's wire parameters to the engine's records; unknown enum values are refused, not guessed.</summary>
public static class SessionMapping
{
    public static SessionSettings ToSettings(JoinResponse response, DataAssignment data) => new(
        ToLearning(response.Tangle.Learning),
        TimeSpan.FromMilliseconds(Math.Max(100, response.Training.IntervalMs)),
        response.Training.ActiveQuota,
        TimeSpan.FromMilliseconds(Math.Max(100, response.HeartbeatIntervalMs)),
        data.Slot,
        data.Slots,
        data.Partition,
        data.Seed);

    /// <summary>The tangle's rules as the Bootstrap publishes them; the replica and every check enforce exactly these.</summary>
    public static TangleRules ToRules(JoinResponse response) => new TangleRules(
        ToShape(response.Tangle.Model),
        response.Tangle.MaxParents,
        TimeSpan.FromMilliseconds(Math.Max(100, response.Training.IntervalMs)),
        response.Tangle.WeightPrecision switch
        {
            WeightPrecision.Float32 => Learning.WeightPrecision.Float32,
            WeightPrecision.Float16 => Learning.WeightPrecision.Float16,
            _ => throw new InvalidDataException($"Bootstrap sent an unknown weight precision {response.Tangle.WeightPrecision}."),
        }).Validated();

    private static Learning.ModelShape ToShape(string model)
    {
        try
        {
            return Learning.ModelShape.Parse(model);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Bootstrap sent a model this peer cannot build: {e.Message}", e);
        }
    }

    public static Domain.LearningParameters ToLearning(MlAspire.Bootstrap.Grpc.LearningParameters p) => new Domain.LearningParameters
    {
        TipSelector = p.TipSelector switch
        {
            TipSelector.CumulativeWeight => TipSelectorKind.CumulativeWeight,
            TipSelector.Accuracy => TipSelectorKind.Accuracy,
            TipSelector.Uniform => TipSelectorKind.Uniform,
            _ => throw new InvalidDataException($"Bootstrap sent an unknown tip selector {p.TipSelector}."),
        },
        Alpha = p.Alpha,
        ParticleDepth = p.HasParticleDepth ? p.ParticleDepth : null,
        ParentCount = p.ParentCount,
        TipCandidates = p.TipCandidates,
        Aggregator = p.Aggregator,
        ReferenceSamples = p.ReferenceSamples,
        ReferenceTopK = p.ReferenceTopK,
        ReferenceCandidates = p.ReferenceCandidates,
        ScreeningStandardErrors = p.ScreeningStandardErrors,
        RatedApprovers = p.HasRatedApprovers ? p.RatedApprovers : MlAspire.Tangle.TipSelection.AccuracyWeightedWalk.AllKeptApprovers, // an older Bootstrap: as it did
        Sgd = new Learning.SgdOptions(p.Epochs, p.BatchSize, p.LearningRate, p.WeightDecay),
        PublishRule = p.PublishRule switch
        {
            PublishRule.BetterThanReference => PublishRuleKind.BetterThanReference,
            PublishRule.BetterThanParents => PublishRuleKind.BetterThanParents,
            PublishRule.Always => PublishRuleKind.Always,
            _ => throw new InvalidDataException($"Bootstrap sent an unknown publish rule {p.PublishRule}."),
        },
    }.Validated();
}
