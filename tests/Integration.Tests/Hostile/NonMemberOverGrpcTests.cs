using MlAspire.Storage.Transactions;
using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member relays, on its TangleSync, a well-formed transaction signed by a key that never joined: whoever holds a
/// key can publish through any member unless peers accept only members' signatures.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class NonMemberOverGrpcTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_transaction_signed_by_a_non_member_and_relayed_by_a_member_is_rejected_as_non_member()
    {
        _cluster.StartBootstrap();
        var victim = _cluster.StartPeer("victim");
        await Eventually.TrueAsync(async () => (await victim.StatusAsync()).TangleSize >= 3, Patience, _cluster.Logs);

        await using var relay = await HostileMember.StartAsync();
        await relay.JoinAsync(_cluster.BootstrapClient());
        using var outsider = PeerKey.Create();
        var forged = relay.Forge.Sign(outsider, [relay.Membership.Genesis], relay.Forge.PutRandomWeights(new Random(1)));
        relay.Announcements.Offer(forged);
        _report.Note($"relayed {forged.Cid} signed by {outsider.Id}, which never joined (the relay is {relay.PeerId})");

        var decided = await Eventually.WithinAsync(async () =>
            await victim.RejectedAsync(RejectionLabels.NonMember) > 0 || (await victim.TransactionsAsync()).Any(t => t.Cid == forged.Cid.ToString()),
            Patience);
        var inReplica = (await victim.TransactionsAsync()).FirstOrDefault(t => t.Cid == forged.Cid.ToString());
        _report.Note($"{(decided ? "" : "undecided; ")}in the victim's replica: {(inReplica is null ? "no" : $"yes, at sequence {inReplica.Sequence}")}; {await victim.DescribeAsync()}");

        Assert.True(await victim.RejectedAsync(RejectionLabels.NonMember) > 0, $"not counted as '{RejectionLabels.NonMember}'\n{_report}");
        Assert.True(inReplica is null, $"the non-member's transaction is in the replica\n{_report}");
    }
}
