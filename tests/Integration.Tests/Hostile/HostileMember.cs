using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A Byzantine member running in the test process: it joins the Bootstrap like a peer, signs transactions with its own
/// key (or any other), and serves them on a real gRPC TangleSync endpoint (Kestrel on loopback) as its attack script
/// says. Honest peers find it in the membership and follow it like any neighbour.
/// </summary>
public sealed class HostileMember : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Membership? _membership;
    private TransactionForge? _forge;

    private HostileMember(int port, PeerKey key)
    {
        Port = port;
        Key = key;
        var builder = WebApplication.CreateSlimBuilder();
        // The test's output folder holds the Peer's appsettings.json: its Kestrel endpoints (5200, 5201) are not ours.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 8 * 1024 * 1024);
        builder.Services.AddSingleton(new HostileTangleSync(key.Id, Announcements, Blocks));
        _app = builder.Build();
        _app.MapGrpcService<HostileTangleSync>();
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    /// <summary>The key this member signs its own transactions with.</summary>
    public PeerKey Key { get; }

    public string PeerId => Membership.PeerId;

    public Announcements Announcements { get; } = new();

    public BlockShelf Blocks { get; } = new();

    public Membership Membership => _membership ?? throw new InvalidOperationException("Join first.");

    /// <summary>Builds transactions of the tangle joined.</summary>
    public TransactionForge Forge => _forge ?? throw new InvalidOperationException("Join first.");

    /// <summary>Starts serving TangleSync on a free loopback port (not yet a member: see <see cref="JoinAsync"/>).</summary>
    public static async Task<HostileMember> StartAsync(PeerKey? key = null)
    {
        var member = new HostileMember(ServiceProcess.FreePort(), key ?? PeerKey.Create());
        await member._app.StartAsync();
        return member;
    }

    /// <summary>Joins as a member at this endpoint and heartbeats from then on.</summary>
    public async Task<Membership> JoinAsync(BootstrapClient bootstrap)
    {
        var membership = (await Membership.JoinAsync(bootstrap, new MemberClaim(Key, Address))).KeepAlive();
        _membership = membership;
        _forge = new TransactionForge(membership.Genesis, membership.Shape, Blocks, key => key == Key ? membership.Credential : null);
        return membership;
    }

    /// <summary>A TangleSync client to a peer (<paramref name="peerId"/> at <paramref name="channel"/>) that calls as this member, showing its credential.</summary>
    public TangleSync.TangleSyncClient ClientFor(GrpcChannel channel, string peerId) =>
        new(channel.Intercept(metadata =>
        {
            var (credential, proof) = MemberCallHeaders.Create(Membership.Credential, Key, peerId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            metadata.Add(MemberCallHeaders.Credential, credential);
            metadata.Add(MemberCallHeaders.Proof, proof);
            return metadata;
        }));

    public async ValueTask DisposeAsync()
    {
        if (_membership is not null)
            await _membership.DisposeAsync();
        await _app.DisposeAsync();
        Key.Dispose();
    }
}
