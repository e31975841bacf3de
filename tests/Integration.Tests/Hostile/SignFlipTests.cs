using MlAspire.Tangle.Aggregation;
using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// One member of three publishes sign-flipped updates (an honest update turned around and made five times as long, see
/// <see cref="SignFlipper"/>) at the training rate, approving the honest tips: a third of the publishers, beyond issue
/// 11's 20 %. At the plateau an honest update is short, so a plain flip (factor 1) would hardly move anything.
/// With the default learning settings it is not stopped: the honest mean fell from 92.49 to 86.70 %, and 46 of 76
/// honest transactions approved a flipped one. Local screening (<c>ScreeningStandardErrors</c> 2, off by default
/// because it hurts label-skewed learning) stops it, and this test runs with it. The honest
/// peers' mean reference accuracy must stay within 3 points of the same peers just before (issue 11's target for every
/// attack), measured as <see cref="SybilFloodTests"/> measures it. The report counts how many flipped models the
/// honest peers built on.
/// </summary>
public sealed class SignFlipTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double ToleranceInPoints = 3.0;
    private const double Factor = 5;

    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task With_local_screening_a_member_publishing_sign_flipped_updates_does_not_move_honest_accuracy()
    {
        var honest = await ReferenceAccuracy.StartTwoHonestPeersAtPlateauAsync(_cluster,
            new Dictionary<string, string> { ["Bootstrap__Learning__ScreeningStandardErrors"] = "2" });
        var baseline = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(15));
        _report.Note($"baseline (15 s): {ReferenceAccuracy.Describe(honest, baseline)}");

        await using var attacker = await HostileMember.StartAsync();
        var membership = await attacker.JoinAsync(_cluster.BootstrapClient());
        var sizeAtAttack = (await honest[0].StatusAsync()).TangleSize;
        await using var frontier = new HonestFrontier(honest[0].Sync, attacker.PeerId);
        double[] attacked;
        int published;
        var aggregator = Aggregators.Create(membership.Joined.Tangle.Learning.Aggregator);
        await using (var flipper = SignFlipper.Start(attacker, frontier, honest[0].Sync, aggregator, Factor, 1 / membership.TrainingInterval.TotalSeconds,
            membership.Joined.Tangle.MaxParents))
        {
            await Task.Delay(TimeSpan.FromSeconds(15));
            attacked = await ReferenceAccuracy.SampleAsync(honest, TimeSpan.FromSeconds(25));
            published = flipper.Published;
            _report.Note($"sign flipper (x{Factor}) published {published} transactions, one per {membership.TrainingInterval.TotalMilliseconds:F0} ms; {flipper.Failed} attempts found no usable tip");
        }
        _report.Note($"under attack (last 25 s): {ReferenceAccuracy.Describe(honest, attacked)}");
        var accepted = new List<int>();
        foreach (var peer in honest)
        {
            var replica = await peer.TransactionsAsync();
            var flipped = replica.Where(t => t.Publisher == attacker.PeerId).Select(t => t.Cid).ToHashSet();
            var honestSince = replica.Where(t => t.Sequence > sizeAtAttack && t.Publisher != attacker.PeerId).ToList();
            accepted.Add(flipped.Count);
            _report.Note($"{await peer.DescribeAsync()}; {flipped.Count} flipped in its replica; " +
                $"{honestSince.Count(t => t.Parents.Any(flipped.Contains))} of {honestSince.Count} honest transactions since the attack approve one");
        }

        // The attack reached the honest replicas: otherwise the check below measures nothing.
        Assert.True(published > 20 && accepted.All(n => n > 20), $"the attacker published {published}, the replicas hold {string.Join(" and ", accepted)}\n{_report}");
        Assert.True(attacked.Average() >= baseline.Average() - ToleranceInPoints / 100,
            $"the honest peers' mean reference accuracy fell from {baseline.Average():P2} to {attacked.Average():P2}\n{_report}");
    }
}
