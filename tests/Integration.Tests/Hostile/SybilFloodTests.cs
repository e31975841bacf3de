using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// Three Sybil identities, more than the two honest peers, publish random weights at five times the training rate
/// each and approve only each other: a sub-tangle of junk beside the honest one, owning three of every five walk
/// starts. Honest peers' mean reference accuracy must not move by more than 2 points (issue 11's target). The report
/// also counts honest transactions that approve a Sybil one, and what the honest peers published before and during.
/// </summary>
/// <remarks>
/// Measured as <see cref="FloodTests"/> measures: the same two peers before and during the attack, two data slots so
/// one local test digit is about 0.1 points, the plateau first, then 15 s of baseline, the attack, 15 s for it to reach
/// the tips, and 25 s of samples. Only a drop is harm.
/// </remarks>
[SideBySide]
public sealed class SybilFloodTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sybils = 3;
    private const double RateFactor = 5;
    private const double ToleranceInPoints = 2.0;
    private const double PerPeerFloorInPoints = 5.0; // above one peer's swing without an attack (2-3 points)

    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);
    private readonly List<HostileMember> _sybils = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var sybil in _sybils)
            await sybil.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Sybils_outnumbering_the_honest_peers_and_approving_only_each_other_do_not_move_honest_accuracy()
    {
        var honest = await ReferenceAccuracy.StartTwoHonestPeersAtPlateauAsync(_cluster);

        var publishedBefore = await ReferenceAccuracy.PublishedAsync(honest);
        var baseline = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(15));
        var publishedInBaseline = Subtract(await ReferenceAccuracy.PublishedAsync(honest), publishedBefore);
        _report.Note($"baseline (no Sybils, 15 s): {ReferenceAccuracy.Describe(honest, baseline)}; published {string.Join(" and ", publishedInBaseline)}");

        var sizeAtAttack = new Dictionary<string, long>();
        foreach (var peer in honest)
            sizeAtAttack[peer.Name] = (await peer.StatusAsync()).TangleSize;
        Membership? membership = null;
        for (var i = 0; i < Sybils; i++)
        {
            var sybil = await HostileMember.StartAsync();
            _sybils.Add(sybil);
            membership = await sybil.JoinAsync(_cluster.BootstrapClient());
        }
        var perSecond = RateFactor / membership!.TrainingInterval.TotalSeconds;
        double[] attacked;
        long[] publishedUnderAttack;
        int offered;
        await using (var flood = new SybilFlood(_sybils, perSecond, membership.Joined.Tangle.MaxParents))
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            var publishedBeforeSamples = await ReferenceAccuracy.PublishedAsync(honest);
            attacked = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(25));
            publishedUnderAttack = Subtract(await ReferenceAccuracy.PublishedAsync(honest), publishedBeforeSamples);
            offered = flood.Offered;
        }
        _report.Note($"{Sybils} Sybils offered {offered} transactions ({perSecond:F1}/s each)");
        _report.Note($"under the Sybil flood (last 25 s): {ReferenceAccuracy.Describe(honest, attacked)}; published {string.Join(" and ", publishedUnderAttack)}");
        var sybilIds = _sybils.Select(s => s.PeerId).ToHashSet();
        foreach (var peer in honest)
        {
            var replica = await peer.TransactionsAsync();
            var sybilCids = replica.Where(t => sybilIds.Contains(t.Publisher)).Select(t => t.Cid).ToHashSet();
            var honestSince = replica.Where(t => t.Sequence > sizeAtAttack[peer.Name] && !sybilIds.Contains(t.Publisher)).ToList();
            var bridging = honestSince.Count(t => t.Parents.Any(sybilCids.Contains));
            _report.Note($"{await peer.DescribeAsync()}; {sybilCids.Count} Sybil transactions in its replica; " +
                $"{bridging} of the {honestSince.Count} honest transactions it received or published since the attack approve one");
        }

        // The honest peers' mean: one peer's reference alone swings by 2-3 points within a minute without any attack
        // (89.9 % in one 15 s baseline, 92.7 % in the next run), and a per-peer check failed CI on that noise.
        Assert.True(attacked.Average() >= baseline.Average() - ToleranceInPoints / 100,
            $"the honest peers' mean reference accuracy fell from {baseline.Average():P2} to {attacked.Average():P2}\n{_report}");
        for (var i = 0; i < honest.Length; i++) // and no one peer pays for the other's gain
            Assert.True(attacked[i] >= baseline[i] - PerPeerFloorInPoints / 100,
                $"{honest[i].Name}'s reference accuracy fell from {baseline[i]:P2} to {attacked[i]:P2}\n{_report}");
    }

    private static long[] Subtract(long[] after, long[] before) => [.. after.Zip(before, (a, b) => a - b)];
}
