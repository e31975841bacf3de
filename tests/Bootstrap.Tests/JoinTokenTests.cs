using Grpc.Core;
using MlAspire.Bootstrap.Grpc;

namespace MlAspire.Bootstrap.Tests;

public sealed class JoinTokenTests
{
    private const string Token = "correct horse battery staple";

    [Fact]
    public async Task Calls_without_the_token_are_unauthenticated()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:JoinToken"] = Token }).Start();

        using var peer = new TestMember();
        var missing = await Assert.ThrowsAsync<RpcException>(() => host.CreateGrpcClient().JoinAsync(peer.Join()).ResponseAsync);
        var rejected = await Assert.ThrowsAsync<RpcException>(() => host.CreateGrpcClient("wrong").JoinAsync(peer.Join()).ResponseAsync);
        var prefix = await Assert.ThrowsAsync<RpcException>(() => host.CreateGrpcClient(Token[..^1]).ListPeersAsync(new ListPeersRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.StartsWith("join token missing", missing.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, rejected.StatusCode);
        Assert.Equal("join token rejected", rejected.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, prefix.StatusCode);
    }

    [Fact]
    public async Task Streaming_calls_need_the_token_too()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:JoinToken"] = Token }).Start();

        using var watch = host.CreateGrpcClient().WatchPeers(new WatchPeersRequest());
        var refused = await Assert.ThrowsAsync<RpcException>(() => watch.NextAsync());

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Calls_with_the_token_are_served()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:JoinToken"] = Token }).Start();
        var client = host.CreateGrpcClient(Token);

        using var peer = new TestMember();
        var joined = await client.JoinAsync(peer.Join());
        using var watch = client.WatchPeers(new WatchPeersRequest());

        Assert.NotEmpty(joined.GenesisCid);
        Assert.Equal(PeerEvent.Types.Kind.Snapshot, (await watch.NextAsync()).Kind);
        Assert.True((await client.HeartbeatAsync(peer.Heartbeat())).Known);
    }

    [Fact]
    public async Task Without_a_configured_token_the_bootstrap_is_open()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();

        using var peer = new TestMember();
        var joined = await host.CreateGrpcClient("anything").JoinAsync(peer.Join());

        Assert.NotEmpty(joined.GenesisCid);
    }
}
