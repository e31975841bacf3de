using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Tests;

/// <summary>Observers (the Visualization): members that read but never publish, kept apart from the peers.</summary>
public sealed class ObserverTests
{
    [Fact]
    public async Task An_observer_is_a_member_that_may_not_publish_and_is_never_listed()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?>
        {
            ["Bootstrap:HeartbeatInterval"] = "00:00:05",
            ["Bootstrap:CredentialLifetime"] = "00:01:00",
        }, time).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember(time);
        using var observer = new TestMember(time);
        using var later = new TestMember(time);
        await client.JoinAsync(peer.Join());
        using var watch = client.WatchPeers(new WatchPeersRequest());
        await watch.NextAsync();

        var joined = await client.JoinAsync(new JoinRequest { PeerId = observer.Id, Observer = true }.SignedBy(observer.Key, observer.NextTimeMs()));

        var (credential, genesis, creatorKey) = CredentialTests.Read(joined);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(new MembershipGrant(genesis, observer.Id, now, now + 60_000, Samples: 0, Publish: false), credential.Grant);
        Assert.Equal(CredentialCheck.Valid, credential.Check(creatorKey, genesis, observer.Id, now, TimeSpan.Zero));
        Assert.Null(joined.Data);
        Assert.Equal([peer.Id], joined.Peers.Select(p => p.PeerId));
        Assert.Equal([peer.Id], (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));

        // It heartbeats to stay, and its credential is renewed like a peer's, past half its lifetime.
        for (var i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            Assert.True((await client.HeartbeatAsync(peer.Heartbeat())).Known);
            Assert.True((await client.HeartbeatAsync(observer.Heartbeat())).Credential.IsEmpty);
        }
        time.Advance(TimeSpan.FromSeconds(1));
        var heartbeat = await client.HeartbeatAsync(observer.Heartbeat());
        Assert.True(heartbeat.Known);
        Assert.Equal(credential.Grant with { Created = now + 31_000, Expires = now + 91_000 }, MembershipCredential.Decode(heartbeat.Credential.Span).Grant);

        await client.LeaveAsync(observer.Leave());
        Assert.False((await client.HeartbeatAsync(observer.Heartbeat())).Known);
        // Watchers never heard of it: the next event is a later peer's join.
        await client.JoinAsync(later.Join());
        var next = await watch.NextAsync();
        Assert.Equal((PeerEvent.Types.Kind.Joined, later.Id), (next.Kind, next.Peer.PeerId));
    }

    [Fact]
    public async Task Observers_have_a_bound_of_their_own_and_are_dropped_when_silent()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?>
        {
            ["Bootstrap:MaxPeers"] = "1",
            ["Bootstrap:MaxObservers"] = "1",
            ["Bootstrap:HeartbeatInterval"] = "00:00:05",
        }, time).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember(time);
        using var first = new TestMember(time);
        using var second = new TestMember(time);
        await client.JoinAsync(first.Join(observer: true));
        await client.JoinAsync(peer.Join());

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.JoinAsync(second.Join(observer: true)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Bootstrap:MaxObservers", refused.Status.Detail, StringComparison.Ordinal);

        // The first observer falls silent past the peer timeout (15 s) and makes room; the peer heartbeats and stays.
        for (var i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            Assert.True((await client.HeartbeatAsync(peer.Heartbeat())).Known);
        }
        await Eventually(async () =>
        {
            try
            {
                await client.JoinAsync(second.Join(observer: true));
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                return false;
            }
        });
        Assert.False((await client.HeartbeatAsync(first.Heartbeat())).Known);
        Assert.Equal([peer.Id], (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));
    }

    [Fact]
    public async Task One_key_is_a_peer_or_an_observer_not_both()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember();
        using var observer = new TestMember();
        await client.JoinAsync(peer.Join());
        await client.JoinAsync(observer.Join(observer: true));

        var asObserver = await Assert.ThrowsAsync<RpcException>(() => client.JoinAsync(peer.Join(observer: true)).ResponseAsync);
        var asPeer = await Assert.ThrowsAsync<RpcException>(() => client.JoinAsync(observer.Join()).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (asObserver.StatusCode, asPeer.StatusCode));
        Assert.Equal([peer.Id], (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TestCalls.Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(50);
        }
    }
}
