using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member publishes valid transactions (random weights) at 50 times the tangle's training rate, each approving its
/// own newest and the honest tips, and pushes them to its watchers. Honest peers must cut the flood down to the rate a
/// member may publish at (counted "rate_limited"), and learn as well as they did before it.
/// </summary>
/// <remarks>
/// The baseline is the same two peers just before the flood, not a control cluster: a peer seeds its training from its
/// process id, so no two runs are alike anyway, and on LocalCluster's logistic regression (a step every 300 ms) each
/// peer's reference accuracy reaches its plateau within seconds. The MNIST pool is split in two slots, not ten, so each
/// honest peer judges models on about 800 local test digits: one digit is 0.125 points, well under the 1-point
/// tolerance (with ten slots one digit is 0.7-0.9 points, and a 1-point check measures noise). So: wait for the
/// plateau, take the median of 30 samples of each peer over 15 s, flood for 40 s, and the median of the last 25 s (the
/// first 15 s let the flood reach the tips). Only a drop is harm: the check is one-sided.
/// </remarks>
[SideBySide]
public sealed class FloodTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double FloodFactor = 50;
    private const double ToleranceInPoints = 1.0;

    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_member_flooding_at_fifty_times_the_training_rate_is_rate_limited_and_honest_accuracy_holds()
    {
        var honest = await ReferenceAccuracy.StartTwoHonestPeersAtPlateauAsync(_cluster);

        var publishedBeforeBaseline = await ReferenceAccuracy.PublishedAsync(honest);
        var baseline = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(15));
        var publishedInBaseline = (await ReferenceAccuracy.PublishedAsync(honest)).Zip(publishedBeforeBaseline, (after, before) => after - before);
        _report.Note($"baseline (no flood, 15 s): {ReferenceAccuracy.Describe(honest, baseline)}; published {string.Join(" and ", publishedInBaseline)}");

        await using var attacker = await HostileMember.StartAsync();
        var membership = await attacker.JoinAsync(_cluster.BootstrapClient());
        var rate = FloodFactor / membership.TrainingInterval.TotalSeconds;
        await using var frontier = new HonestFrontier(honest[0].Sync, attacker.PeerId);
        var publishedBefore = await ReferenceAccuracy.PublishedAsync(honest);
        var floodStarted = DateTime.UtcNow;
        double[] flooded;
        int offered;
        await using (var flood = new Flood(attacker, frontier, rate, membership.Joined.Tangle.MaxParents))
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            flooded = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(25));
            offered = flood.Offered;
        }
        var seconds = (DateTime.UtcNow - floodStarted).TotalSeconds;
        _report.Note($"flood: {offered} transactions offered in {seconds:F0} s ({offered / seconds:F0}/s; target {rate:F0}/s = {FloodFactor}x one per {membership.TrainingInterval.TotalMilliseconds:F0} ms)");
        _report.Note($"during the flood (last 25 s): {ReferenceAccuracy.Describe(honest, flooded)}");
        for (var i = 0; i < honest.Length; i++)
        {
            var replica = await honest[i].TransactionsAsync();
            var published = (await honest[i].StatusAsync()).Published - publishedBefore[i];
            _report.Note($"{await honest[i].DescribeAsync()}; published {published} during the flood; {replica.Count(t => t.Publisher == attacker.PeerId)} flood transactions in its replica");
        }

        foreach (var peer in honest)
            Assert.True(await peer.RejectedAsync(RejectionLabels.RateLimited) > 0, $"{peer.Name} counted no '{RejectionLabels.RateLimited}'\n{_report}");
        for (var i = 0; i < honest.Length; i++)
            Assert.True(flooded[i] >= baseline[i] - ToleranceInPoints / 100,
                $"{honest[i].Name}'s reference accuracy fell from {baseline[i]:P2} to {flooded[i]:P2}\n{_report}");
    }
}
