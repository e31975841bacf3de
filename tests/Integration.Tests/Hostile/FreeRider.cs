using MlAspire.Peer.Grpc;
using MlAspire.Tangle.Aggregation;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A free rider (the simulator's free-rider): at the training rate it aggregates the newest honest transactions, as a
/// peer would aggregate the tips its walks found before training, and publishes that average untrained, approving
/// them. It adds nothing and claims a share.
/// </summary>
public static class FreeRider
{
    public static ForgedModels Start(HostileMember member, HonestFrontier honest, TangleSync.TangleSyncClient source, IAggregator aggregator,
        double perSecond, int maxParents) =>
        new(member, perSecond, () =>
        {
            var tips = honest.Newest(maxParents);
            return tips.Count == 0 ? null : (tips, ForgedModels.Aggregate(source, aggregator, tips));
        });
}
