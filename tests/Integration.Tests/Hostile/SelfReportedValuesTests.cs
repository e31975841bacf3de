using MlAspire.Storage.Content;
using MlAspire.Tangle.Dag;
using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// What a member says about its own transactions steers nothing it was not granted: a sample count beyond its data
/// slot counts as the slot, and the tangle's rules are the Bootstrap's (max_parents 8), not a library default (16).
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class SelfReportedValuesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_inflated_sample_count_is_weighed_at_the_members_slot_and_more_parents_than_the_bootstrap_allows_are_refused()
    {
        _cluster.StartBootstrap();
        var victim = _cluster.StartPeer("victim");
        await Eventually.TrueAsync(async () => (await victim.StatusAsync()).TangleSize >= 12, Patience, _cluster.Logs); // nine to approve at once
        await using var member = await HostileMember.StartAsync();
        var membership = await member.JoinAsync(_cluster.BootstrapClient());
        var cap = membership.Credential.Grant.Samples;
        var tips = (await victim.TransactionsAsync()).TakeLast(9).Select(t => Cid.Parse(t.Cid)).ToList();

        var inflated = member.Forge.Sign(member.Key, [tips[^1]], member.Forge.PutRandomWeights(new Random(1)), new TransactionMetrics(0.3, 0.9, int.MaxValue));
        var nineParents = member.Forge.Sign(member.Key, tips, member.Forge.PutRandomWeights(new Random(2)));
        member.Announcements.Offer(inflated);
        member.Announcements.Offer(nineParents);
        _report.Note($"offered {inflated.Cid} claiming {int.MaxValue:N0} samples (the member's slot has {cap:N0}) and {nineParents.Cid} with {nineParents.Document.Parents.Count} parents (the Bootstrap allows {membership.Joined.Tangle.MaxParents})");

        await Eventually.TrueAsync(async () => (await victim.TransactionsAsync()).Any(t => t.Cid == inflated.Cid.ToString())
            && await victim.RejectedAsync(RejectionLabels.InvalidParents) > 0, Patience, () => $"{_report}\n{_cluster.Logs()}");
        var weighed = (await victim.TransactionsAsync()).Single(t => t.Cid == inflated.Cid.ToString()).SampleCount;
        _report.Note($"the victim weighs the inflated claim at {weighed:N0}; {await victim.DescribeAsync()}");

        Assert.Equal(8, membership.Joined.Tangle.MaxParents);
        Assert.Equal(cap, weighed);
        Assert.DoesNotContain(await victim.TransactionsAsync(), t => t.Cid == nineParents.Cid.ToString());
    }
}
