using Grpc.Core;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Transactions;
using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member holding the join token claims an honest peer's id: it re-joins under it with its own address (so that
/// peers dial the attacker for the honest peer's blocks), heartbeats for it and makes it leave. The Bootstrap must
/// refuse each, and the honest peer's entry must stay as the honest peer registered it.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class BootstrapTakeoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Joining_heartbeating_and_leaving_under_another_members_id_are_refused_and_its_entry_is_unchanged()
    {
        _cluster.StartBootstrap();
        var honest = _cluster.StartPeer("honest");
        var bootstrap = _cluster.BootstrapClient();
        var honestId = "";
        await Eventually.TrueAsync(async () =>
        {
            honestId = (await honest.StatusAsync()).PeerId;
            return await EntryAsync(bootstrap, honestId) is not null;
        }, TimeSpan.FromSeconds(30), _cluster.Logs);
        var registered = (await EntryAsync(bootstrap, honestId))!.GrpcAddress;

        using var attackerKey = PeerKey.Create();
        using var attackerEndpoint = new Blackhole();
        await using var attacker = await Membership.JoinAsync(bootstrap, new MemberClaim(attackerKey, attackerEndpoint.GrpcAddress));
        var refusedProperly = new List<bool>();
        async Task Attempt(string what, Func<Task<string>> attempt)
        {
            string outcome;
            try
            {
                outcome = $"ACCEPTED ({await attempt()})";
                refusedProperly.Add(false);
            }
            catch (RpcException e)
            {
                outcome = $"refused with {e.StatusCode}";
                refusedProperly.Add(e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated);
            }
            var entry = await EntryAsync(bootstrap, honestId);
            _report.Note($"{what}: {outcome}; the honest entry is now {(entry is null ? "NOT LISTED" : entry.GrpcAddress)} (registered {registered})");
        }

        await Attempt("Join as the honest id from the attacker's address", async () =>
        {
            await using var takeover = await Membership.JoinAsync(bootstrap, new MemberClaim(attackerKey, attackerEndpoint.GrpcAddress, ClaimedId: honestId));
            return $"data slot {takeover.Joined.Data.Slot}";
        });
        await Attempt("Heartbeat as the honest id", async () => $"known = {await attacker.HeartbeatAsync(claimedId: honestId)}");
        await Attempt("Leave as the honest id", async () =>
        {
            await attacker.LeaveAsync(claimedId: honestId);
            return "left";
        });

        var final = await EntryAsync(bootstrap, honestId);
        Assert.True(refusedProperly.All(refused => refused), $"not every impersonation was refused with PermissionDenied or Unauthenticated\n{_report}");
        Assert.True(final?.GrpcAddress == registered, $"the honest entry changed\n{_report}");
    }

    private static async Task<PeerInfo?> EntryAsync(MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient bootstrap, string peerId) =>
        (await bootstrap.ListPeersAsync(new ListPeersRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).Peers.FirstOrDefault(p => p.PeerId == peerId);
}
