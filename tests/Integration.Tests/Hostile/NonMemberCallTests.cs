using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A peer's TangleSync serves members only: without a credential, with a credential it cannot prove it holds, with a
/// proof meant for another peer, or with a credential from another tangle, every call is refused before it runs; a
/// member's calls are served, up to the peer's number of watch streams.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class NonMemberCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Calls_without_a_provable_membership_of_this_tangle_are_refused_and_watch_streams_are_capped()
    {
        _cluster.StartBootstrap();
        var victim = _cluster.StartPeer("victim", settings: new Dictionary<string, string> { ["Peer__MaxWatchers"] = "2" });
        await Eventually.TrueAsync(async () => (await victim.StatusAsync()).TangleSize >= 3, Patience, _cluster.Logs);
        await using var member = await HostileMember.StartAsync();
        await member.JoinAsync(_cluster.BootstrapClient());
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{victim.GrpcPort}");
        using var thief = PeerKey.Create();
        using var otherTangle = new MlAspire.Tests.Shared.TestTangle();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // The real Bootstrap's key, read from its data directory, to issue a credential that checks but has expired.
        using var bootstrapKey = PeerKey.Import(File.ReadAllBytes(Path.Combine(_cluster.BootstrapDataDirectory, "bootstrap-key.p8")));

        TangleSync.TangleSyncClient With(MembershipCredential credential, PeerKey key, string audience) => new(channel.Intercept(metadata =>
        {
            var (header, proof) = MemberCallHeaders.Create(credential, key, audience, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            metadata.Add(MemberCallHeaders.Credential, header);
            metadata.Add(MemberCallHeaders.Proof, proof);
            return metadata;
        }));
        var refused = new Dictionary<string, TangleSync.TangleSyncClient>
        {
            ["no headers"] = new(channel),
            ["a member's credential shown by a key that is not its own"] = With(member.Membership.Credential, thief, victim.PeerId),
            ["a proof addressed to another peer"] = With(member.Membership.Credential, member.Key, "psomebodyelse"),
            ["a credential of another tangle's Bootstrap"] = With(otherTangle.Credential(thief), thief, victim.PeerId),
            ["an expired credential of this tangle"] = With(MembershipCredential.Issue(member.Membership.Credential.Grant with { Created = now - 7_200_000, Expires = now - 3_600_000 }, bootstrapKey), member.Key, victim.PeerId),
        };
        foreach (var (what, client) in refused)
        {
            var status = await Assert.ThrowsAsync<RpcException>(async () => await client.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5)));
            Assert.True(status.StatusCode == StatusCode.PermissionDenied, $"{what}: {status.Status}");
            using var list = client.ListTransactions(new ListTransactionsRequest { AfterSequence = -1 }, deadline: DateTime.UtcNow.AddSeconds(5));
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await list.ResponseStream.MoveNext())).StatusCode);
        }

        // A member is served, but only as many watch streams as the peer allows at once.
        var asMember = member.ClientFor(channel, victim.PeerId);
        Assert.Equal(victim.PeerId, (await asMember.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).PeerId);
        using var first = asMember.WatchTransactions(new WatchTransactionsRequest());
        using var second = asMember.WatchTransactions(new WatchTransactionsRequest());
        Assert.True(await first.ResponseStream.MoveNext() && await second.ResponseStream.MoveNext()); // both served: the peer keeps publishing
        using var third = asMember.WatchTransactions(new WatchTransactionsRequest());
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(async () => await third.ResponseStream.MoveNext())).StatusCode);
        Assert.False(victim.IsDown());
    }
}
