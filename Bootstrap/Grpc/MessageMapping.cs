using MlAspire.Bootstrap.Membership;
using MlAspire.Tangle;
using Learning = MlAspire.Tangle.Learning;
using Training = MlAspire.Tangle.Training;

namespace MlAspire.Bootstrap.Grpc;

/// <summary>Translations between the membership and tangle types and their gRPC messages.</summary>
public static class MessageMapping
{
    public static PeerRegistration ToRegistration(this JoinRequest request) =>
        new(request.PeerId, request.GrpcAddress, [.. request.IpfsSwarmAddresses], request.IpfsPeerId, request.MetricsAddress);

    public static LearningStatus? ToLearningStatus(this PeerStatus? status) =>
        status is null ? null : new LearningStatus(status.TangleSize, status.Tips, status.ReferenceAccuracy);

    public static PeerInfo ToPeerInfo(this PeerRecord peer)
    {
        var info = new PeerInfo
        {
            PeerId = peer.PeerId,
            GrpcAddress = peer.Registration.GrpcAddress,
            IpfsPeerId = peer.Registration.IpfsPeerId,
            MetricsAddress = peer.Registration.MetricsAddress,
            JoinedAtMs = peer.JoinedAt.ToUnixTimeMilliseconds(),
            LastSeenMs = peer.LastSeen.ToUnixTimeMilliseconds(),
            Status = peer.Status is { } status
                ? new PeerStatus { TangleSize = status.TangleSize, Tips = status.Tips, ReferenceAccuracy = status.ReferenceAccuracy }
                : null,
        };
        info.IpfsSwarmAddresses.AddRange(peer.Registration.IpfsSwarmAddresses);
        return info;
    }

    public static PeerEvent ToPeerEvent(this MembershipChange change) => new()
    {
        Kind = change.Kind switch
        {
            MembershipChangeKind.Joined => PeerEvent.Types.Kind.Joined,
            MembershipChangeKind.Updated => PeerEvent.Types.Kind.Updated,
            MembershipChangeKind.Left => PeerEvent.Types.Kind.Left,
            MembershipChangeKind.Dropped => PeerEvent.Types.Kind.Dropped,
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Kind, null),
        },
        Peer = change.Peer.ToPeerInfo(),
    };

    public static PeerEvent ToSnapshotEvent(IEnumerable<PeerRecord> peers)
    {
        var snapshot = new PeerEvent { Kind = PeerEvent.Types.Kind.Snapshot };
        snapshot.Peers.AddRange(peers.Select(ToPeerInfo));
        return snapshot;
    }

    /// <summary>The tangle's rules and how peers learn on it, as the peers receive them.</summary>
    public static TangleParameters ToTangleParameters(TangleRules rules, Training.LearningParameters learning) => new()
    {
        Model = rules.Model.Description,
        WeightPrecision = rules.WeightPrecision switch
        {
            Learning.WeightPrecision.Float32 => WeightPrecision.Float32,
            Learning.WeightPrecision.Float16 => WeightPrecision.Float16,
            _ => throw new ArgumentOutOfRangeException(nameof(rules), rules.WeightPrecision, null),
        },
        MaxParents = rules.MaxParents,
        Learning = ToMessage(learning),
    };

    /// <summary>How often peers consider a training step (a rule of the tangle) and how often they take one.</summary>
    public static TrainingParameters ToTrainingParameters(TangleRules rules, double activeQuota) => new()
    {
        IntervalMs = (long)rules.TrainingInterval.TotalMilliseconds,
        ActiveQuota = activeQuota,
    };

    public static DataAssignment ToDataAssignment(int slot, DataOptions data) => new()
    {
        Slot = slot,
        Slots = data.Slots,
        Partition = data.Partition,
        Seed = data.Seed,
    };

    private static LearningParameters ToMessage(Training.LearningParameters learning)
    {
        var message = new LearningParameters
        {
            TipSelector = learning.TipSelector switch
            {
                Training.TipSelectorKind.CumulativeWeight => TipSelector.CumulativeWeight,
                Training.TipSelectorKind.Accuracy => TipSelector.Accuracy,
                Training.TipSelectorKind.Uniform => TipSelector.Uniform,
                _ => throw new ArgumentOutOfRangeException(nameof(learning), learning.TipSelector, null),
            },
            Alpha = learning.Alpha,
            ParentCount = learning.ParentCount,
            TipCandidates = learning.TipCandidates,
            Aggregator = learning.Aggregator,
            ReferenceSamples = learning.ReferenceSamples,
            ReferenceTopK = learning.ReferenceTopK,
            ReferenceCandidates = learning.ReferenceCandidates,
            ScreeningStandardErrors = learning.ScreeningStandardErrors,
            RatedApprovers = learning.RatedApprovers,
            Epochs = learning.Sgd.Epochs,
            BatchSize = learning.Sgd.BatchSize,
            LearningRate = learning.Sgd.LearningRate,
            WeightDecay = learning.Sgd.WeightDecay,
            PublishRule = learning.PublishRule switch
            {
                Training.PublishRuleKind.BetterThanReference => PublishRule.BetterThanReference,
                Training.PublishRuleKind.BetterThanParents => PublishRule.BetterThanParents,
                Training.PublishRuleKind.Always => PublishRule.Always,
                _ => throw new ArgumentOutOfRangeException(nameof(learning), learning.PublishRule, null),
            },
        };
        // Unset means "walk from genesis"; proto3 optional tells that apart from 0.
        if (learning.ParticleDepth is { } depth)
            message.ParticleDepth = depth;
        return message;
    }
}
