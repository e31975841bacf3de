using MlAspire.Peer.Grpc;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// Honest updates turned around, at the training rate, like a peer that trains: take an honest tip and the aggregate
/// of that tip's parents (where its training started, by the tangle's own aggregator), and publish
/// start − factor × (tip − start), approving the honest tips (the simulator's sign-flip:FACTOR). The model sits within
/// factor update lengths of the honest ones, so nothing about it looks extreme; it undoes progress.
/// </summary>
public static class SignFlipper
{
    public static ForgedModels Start(HostileMember member, HonestFrontier honest, TangleSync.TangleSyncClient source, IAggregator aggregator, double factor,
        double perSecond, int maxParents, int seed = 1)
    {
        var random = new Random(seed);
        return new ForgedModels(member, perSecond, () =>
        {
            var tips = honest.Tips;
            if (tips.Count == 0) return null;
            var tip = ForgedModels.Document(source, tips[random.Next(tips.Count)]);
            var start = ForgedModels.Aggregate(source, aggregator, tip.Parents).ToArray();
            var trained = ForgedModels.Weights(source, tip.Weights).Values;
            for (var i = 0; i < start.Length; i++)
                start[i] -= (float)factor * (trained[i] - start[i]);
            return ([.. tips.Take(maxParents)], new ModelWeights(member.Forge.Shape, start));
        });
    }
}
