using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Membership;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Bootstrap.Tests;

/// <summary>Join, Heartbeat and Leave act only for the holder of the key whose hash is the peer id.</summary>
public sealed class RequestProofTests
{
    private const string Token = "admission";

    [Fact]
    public async Task Nobody_joins_heartbeats_or_leaves_under_another_peer_s_id_even_with_the_token()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:JoinToken"] = Token }).Start();
        var client = host.CreateGrpcClient(Token);
        using var victim = new TestMember();
        using var attacker = new TestMember();
        await client.JoinAsync(victim.Join());
        var before = Assert.Single((await client.ListPeersAsync(new ListPeersRequest())).Peers);
        using var watch = client.WatchPeers(new WatchPeersRequest());
        await watch.NextAsync();

        // Signed by the attacker's own key, for the victim's id.
        var takeover = TestCalls.JoinRequest(victim.Id);
        takeover.GrpcAddress = "http://attacker.test:5001";
        await AssertDeniedAsync(client.JoinAsync(takeover.SignedBy(attacker.Key, attacker.NextTimeMs())), "not the hash of proof.public_key");
        await AssertDeniedAsync(client.HeartbeatAsync(new HeartbeatRequest { PeerId = victim.Id }.SignedBy(attacker.Key, attacker.NextTimeMs())), "not the hash");
        await AssertDeniedAsync(client.LeaveAsync(new LeaveRequest { PeerId = victim.Id }.SignedBy(attacker.Key, attacker.NextTimeMs())), "not the hash");
        // The victim's public key with the attacker's signature: the id matches, the signature does not.
        var forged = takeover.SignedBy(attacker.Key, attacker.NextTimeMs());
        forged.Proof.PublicKey = victim.Key.PublicKey;
        await AssertDeniedAsync(client.JoinAsync(forged), "signature invalid");

        Assert.Equal(before, Assert.Single((await client.ListPeersAsync(new ListPeersRequest())).Peers));
        // Watchers saw nothing either: the next event is the attacker joining under its own id.
        await client.JoinAsync(attacker.Join());
        var next = await watch.NextAsync();
        Assert.Equal((PeerEvent.Types.Kind.Joined, attacker.Id), (next.Kind, next.Peer.PeerId));
    }

    [Fact]
    public async Task The_peer_id_must_be_the_hash_of_the_signing_key()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember();

        await AssertDeniedAsync(client.JoinAsync(TestCalls.JoinRequest("p1").SignedBy(peer.Key, peer.NextTimeMs())), "not the hash of proof.public_key");
        await AssertDeniedAsync(client.JoinAsync(TestCalls.JoinRequest(peer.Id.ToUpperInvariant()).SignedBy(peer.Key, peer.NextTimeMs())), "not the hash");

        Assert.Empty((await client.ListPeersAsync(new ListPeersRequest())).Peers);
        await client.JoinAsync(peer.Join());
        Assert.Equal([peer.Id], (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));
    }

    [Fact]
    public async Task Requests_without_a_proof_are_refused()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember();

        await AssertDeniedAsync(client.JoinAsync(TestCalls.JoinRequest(peer.Id)), "proof missing");
        await client.JoinAsync(peer.Join());
        await AssertDeniedAsync(client.HeartbeatAsync(new HeartbeatRequest { PeerId = peer.Id }), "proof missing");
        await AssertDeniedAsync(client.LeaveAsync(new LeaveRequest { PeerId = peer.Id }), "proof missing");

        Assert.Equal([peer.Id], (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));
    }

    [Theory]
    [InlineData("another purpose", "signature invalid")]
    [InlineData("another audience", "signature invalid")]
    [InlineData("another body", "signature invalid")]
    [InlineData("high s", "not canonical")]
    [InlineData("too old", "off the bootstrap's clock")]
    [InlineData("too new", "off the bootstrap's clock")]
    public async Task A_proof_that_does_not_hold_is_refused_and_changes_nothing(string flaw, string problem)
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:ClockSkew"] = "00:00:10" }, time).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember(time);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        var request = flaw switch
        {
            "another purpose" => TestCalls.JoinRequest(peer.Id).SignedBy(peer.Key, now, purpose: "heartbeat"),
            "another audience" => WithProof(TestCalls.JoinRequest(peer.Id), CallProof.Create(peer.Key, "join", "a-peer", now, TestCalls.JoinRequest(peer.Id).ToByteArray())),
            "another body" => Altered(TestCalls.JoinRequest(peer.Id).SignedBy(peer.Key, now)),
            "high s" => HighS(TestCalls.JoinRequest(peer.Id).SignedBy(peer.Key, now)),
            "too old" => TestCalls.JoinRequest(peer.Id).SignedBy(peer.Key, now - 10_001),
            "too new" => TestCalls.JoinRequest(peer.Id).SignedBy(peer.Key, now + 10_001),
            _ => throw new ArgumentOutOfRangeException(nameof(flaw)),
        };

        await AssertDeniedAsync(client.JoinAsync(request), problem);
        Assert.Empty((await client.ListPeersAsync(new ListPeersRequest())).Peers);
        // Within the configured skew, the same peer is welcome.
        await client.JoinAsync(TestCalls.JoinRequest(peer.Id).SignedBy(peer.Key, now - 9_999));
        Assert.Single((await client.ListPeersAsync(new ListPeersRequest())).Peers);
    }

    [Fact]
    public async Task A_proof_is_accepted_once_and_never_older_than_the_last()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider();
        await using var host = new BootstrapHost(data.Path, time: time).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember(time);

        var join = peer.Join();
        await client.JoinAsync(join);
        await AssertDeniedAsync(client.JoinAsync(join), "replayed");
        var heartbeat = peer.Heartbeat();
        var older = new HeartbeatRequest { PeerId = peer.Id }.SignedBy(peer.Key, heartbeat.Proof.TimeMs - 1);
        Assert.True((await client.HeartbeatAsync(heartbeat)).Known);
        await AssertDeniedAsync(client.HeartbeatAsync(heartbeat), "replayed");
        await AssertDeniedAsync(client.HeartbeatAsync(older), "replayed");

        // A recorded Leave played back after the peer came back does not remove it.
        var leave = peer.Leave();
        await client.LeaveAsync(leave);
        time.Advance(TimeSpan.FromSeconds(1));
        await client.JoinAsync(peer.Join());
        await AssertDeniedAsync(client.LeaveAsync(leave), "replayed");
        Assert.Equal([peer.Id], (await client.ListPeersAsync(new ListPeersRequest())).Peers.Select(p => p.PeerId));
    }

    [Fact]
    public async Task A_dropped_peer_s_proofs_stay_spent()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:HeartbeatInterval"] = "00:00:05" }, time).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember(time);
        var join = peer.Join();
        await client.JoinAsync(join);
        using var watch = client.WatchPeers(new WatchPeersRequest());
        await watch.NextAsync();

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(PeerEvent.Types.Kind.Dropped, (await watch.NextAsync()).Kind);

        // Still within the clock skew (1 min): the join it sent would be in time, but it was spent.
        await AssertDeniedAsync(client.JoinAsync(join), "replayed");
        Assert.Empty((await client.ListPeersAsync(new ListPeersRequest())).Peers);
    }

    private static JoinRequest WithProof(JoinRequest request, CallProof proof)
    {
        request.Proof = new RequestProof { PublicKey = proof.PublicKey, TimeMs = proof.TimeMs, Signature = proof.Signature };
        return request;
    }

    private static JoinRequest Altered(JoinRequest signed)
    {
        signed.GrpcAddress = "http://elsewhere.test:5001";
        return signed;
    }

    /// <summary>The same signature with s replaced by n − s: it verifies mathematically, but is not the canonical form.</summary>
    private static JoinRequest HighS(JoinRequest signed)
    {
        var order = System.Numerics.BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
        var signature = Convert.FromBase64String(signed.Proof.Signature);
        var s = new System.Numerics.BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        (order - s).TryWriteBytes(signature.AsSpan(32), out _, isUnsigned: true, isBigEndian: true);
        signed.Proof.Signature = Convert.ToBase64String(signature);
        return signed;
    }

    private static async Task AssertDeniedAsync<T>(AsyncUnaryCall<T> call, string problem)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains(problem, refused.Status.Detail, StringComparison.Ordinal);
    }
}
