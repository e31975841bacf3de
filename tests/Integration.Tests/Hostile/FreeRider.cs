using MlAspire.Peer.Grpc;
using MlAspire.Tangle.Aggregation;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A free rider (the simulator's free-rider): at the training rate it aggregates the honest tips, as a peer would
/// before training, and publishes that average untrained, approving those tips. It adds nothing and claims a share.
/// </summary>
public static class FreeRider
{
    public static ForgedModels Start(HostileMember member, HonestFrontier honest, TangleSync.TangleSyncClient source, IAggregator aggregator,
        double perSecond, int maxParents) =>
        new(member, perSecond, () =>
        {
            var tips = honest.Tips.Take(maxParents).ToList();
            return tips.Count == 0 ? null : (tips, ForgedModels.Aggregate(source, aggregator, tips));
        });
}
