using MlAspire.Peer.Grpc;
using MlAspire.Tangle.Aggregation;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// The measurement the attacks built on <see cref="ForgedModels"/> share, as <see cref="SybilFloodTests"/> measures: two
/// honest peers at their plateau, 15 s of baseline, one attacking member, 15 s for its models to reach the tips and 25 s
/// of samples. The attack must reach the honest replicas, and the honest peers' mean reference accuracy must stay
/// within <paramref name="toleranceInPoints"/> of the baseline.
/// </summary>
public static class ForgedModelAttack
{
    public delegate ForgedModels Start(HostileMember attacker, HonestFrontier honest, TangleSync.TangleSyncClient source, IAggregator aggregator,
        double perSecond, int maxParents);

    public static async Task RunAsync(LocalCluster cluster, AttackReport report, string attack, Start start, double toleranceInPoints,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var honest = await ReferenceAccuracy.StartTwoHonestPeersAtPlateauAsync(cluster, settings);
        var baseline = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(15));
        report.Note($"baseline (15 s): {ReferenceAccuracy.Describe(honest, baseline)}");

        await using var attacker = await HostileMember.StartAsync();
        var membership = await attacker.JoinAsync(cluster.BootstrapClient());
        var sizeAtAttack = (await honest[0].StatusAsync()).TangleSize;
        await using var frontier = new HonestFrontier(honest[0].Sync, attacker.PeerId);
        double[] attacked;
        int published;
        var aggregator = Aggregators.Create(membership.Joined.Tangle.Learning.Aggregator);
        await using (var forged = start(attacker, frontier, honest[0].Sync, aggregator, 1 / membership.TrainingInterval.TotalSeconds, membership.Joined.Tangle.MaxParents))
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            attacked = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(25));
            published = forged.Published;
            report.Note($"{attack} published {published} transactions, one per {membership.TrainingInterval.TotalMilliseconds:F0} ms; {forged.Failed} turns found no usable tip");
        }
        report.Note($"under attack (last 25 s): {ReferenceAccuracy.Describe(honest, attacked)}");
        var accepted = new List<int>();
        foreach (var peer in honest)
        {
            var replica = await peer.TransactionsAsync();
            var forgedCids = replica.Where(t => t.Publisher == attacker.PeerId).Select(t => t.Cid).ToHashSet();
            var honestSince = replica.Where(t => t.Sequence > sizeAtAttack && t.Publisher != attacker.PeerId).ToList();
            accepted.Add(forgedCids.Count);
            report.Note($"{await peer.DescribeAsync()}; {forgedCids.Count} of the attacker's in its replica; " +
                $"{honestSince.Count(t => t.Parents.Any(forgedCids.Contains))} of {honestSince.Count} honest transactions since the attack approve one");
        }

        // The attack reached the honest replicas: otherwise the check below measures nothing.
        Assert.True(published > 20 && accepted.All(n => n > 20), $"the attacker published {published}, the replicas hold {string.Join(" and ", accepted)}\n{report}");
        Assert.True(attacked.Average() >= baseline.Average() - toleranceInPoints / 100,
            $"the honest peers' mean reference accuracy fell from {baseline.Average():P2} to {attacked.Average():P2}\n{report}");
    }
}
