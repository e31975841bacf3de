extern alias BootstrapApp;

using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Bootstrap.Tests;

/// <summary>
/// The real Bootstrap app on Kestrel over loopback, with its "http" (HTTP/1.1) and "grpc" (cleartext HTTP/2)
/// endpoints on ports the system picks, a data directory of the test's choosing, and optionally a fake clock.
/// </summary>
public sealed class BootstrapHost : WebApplicationFactory<BootstrapApp::Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly FakeTimeProvider? _time;
    private readonly List<GrpcChannel> _channels = [];
    private readonly List<ListenOptions> _endpoints = [];

    public BootstrapHost(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, FakeTimeProvider? time = null)
    {
        _time = time;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Bootstrap:DataDirectory"] = dataDirectory,
            // Port 0: the system picks free ports, read back from the bound endpoints after the start.
            ["Kestrel:Endpoints:http:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:grpc:Url"] = "http://127.0.0.1:0",
        };
        UseKestrel(kestrel => kestrel.ConfigureEndpointDefaults(_endpoints.Add));
    }

    public Uri HttpAddress { get; private set; } = null!;

    public Uri GrpcAddress { get; private set; } = null!;

    /// <summary>Starts the app (genesis created or loaded); throws what its start throws.</summary>
    public BootstrapHost Start()
    {
        StartServer();
        HttpAddress = AddressOf(HttpProtocols.Http1);
        GrpcAddress = AddressOf(HttpProtocols.Http2);
        return this;
    }

    /// <summary>
    /// What a start that must fail throws, as <typeparamref name="T"/>. WebApplicationFactory's deferred host sometimes
    /// loses a failed start's exception to a race with its own disposal (ObjectDisposedException from its service
    /// provider): the start did fail, so a fresh host is started to read why, up to three times in all.
    /// </summary>
    public static async Task<T> RefusedStartAsync<T>(Func<BootstrapHost> create) where T : Exception
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var host = create();
            var failure = Record.Exception(() => host.Start());
            if (failure is ObjectDisposedException && attempt < 3)
                continue;
            return Assert.IsType<T>(failure);
        }
    }

    /// <summary>A gRPC client that sends <paramref name="joinToken"/> as "authorization: Bearer …" when given.</summary>
    public BootstrapClient CreateGrpcClient(string? joinToken = null)
    {
        var channel = GrpcChannel.ForAddress(GrpcAddress);
        _channels.Add(channel);
        var invoker = joinToken is null
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {joinToken}");
                return metadata;
            });
        return new BootstrapClient(invoker);
    }

    public HttpClient CreateHttpClient() => new() { BaseAddress = HttpAddress };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        if (_time is not null)
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_time));
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
            channel.Dispose();
        await base.DisposeAsync();
    }

    // Kestrel writes the bound port back into the endpoint's options; the protocols tell "http" from "grpc".
    private Uri AddressOf(HttpProtocols protocols) =>
        new($"http://127.0.0.1:{_endpoints.Single(e => e.Protocols == protocols).IPEndPoint!.Port}");
}

/// <summary>A fresh directory under the temp folder, deleted with its contents on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mlaspire-bootstrap-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public static class TestCalls
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>The next event of a watch, failing the test if none comes within <see cref="Patience"/>.</summary>
    public static async Task<PeerEvent> NextAsync(this AsyncServerStreamingCall<PeerEvent> call)
    {
        using var timeout = new CancellationTokenSource(Patience);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "the watch ended");
        return call.ResponseStream.Current;
    }

    /// <summary>An unsigned join with addresses derived from <paramref name="peerId"/>.</summary>
    public static JoinRequest JoinRequest(string peerId, string metricsAddress = "") => new()
    {
        PeerId = peerId,
        GrpcAddress = $"http://{peerId}.peers.test:5001",
        IpfsPeerId = "12D3KooW" + peerId,
        IpfsSwarmAddresses = { $"/dns4/{peerId}.peers.test/tcp/4001" },
        MetricsAddress = metricsAddress,
    };

    // Signing as the contract says (bootstrap.proto, RequestProof): a CallProof for the call's purpose, audience
    // "bootstrap", over the request serialized with its proof field cleared. Written out here, independently of the
    // bootstrap's own code, so that a mistake on either side shows.

    public static JoinRequest SignedBy(this JoinRequest request, PeerKey key, long timeMs, string purpose = "join")
    {
        request.Proof = null;
        request.Proof = Proof(key, purpose, timeMs, request.ToByteArray());
        return request;
    }

    public static HeartbeatRequest SignedBy(this HeartbeatRequest request, PeerKey key, long timeMs, string purpose = "heartbeat")
    {
        request.Proof = null;
        request.Proof = Proof(key, purpose, timeMs, request.ToByteArray());
        return request;
    }

    public static LeaveRequest SignedBy(this LeaveRequest request, PeerKey key, long timeMs, string purpose = "leave")
    {
        request.Proof = null;
        request.Proof = Proof(key, purpose, timeMs, request.ToByteArray());
        return request;
    }

    private static RequestProof Proof(PeerKey key, string purpose, long timeMs, byte[] unsignedRequest)
    {
        var proof = CallProof.Create(key, purpose, "bootstrap", timeMs, unsignedRequest);
        return new RequestProof { PublicKey = proof.PublicKey, TimeMs = proof.TimeMs, Signature = proof.Signature };
    }
}

/// <summary>
/// A member for tests: its own key (its id is the key's hash), and requests it signs with times from
/// <paramref name="clock"/> (the host's), strictly increasing as the bootstrap requires.
/// </summary>
public sealed class TestMember(TimeProvider? clock = null) : IDisposable
{
    private long _lastTimeMs;

    public PeerKey Key { get; } = PeerKey.Create();

    public string Id => Key.Id;

    public JoinRequest Join(string metricsAddress = "", bool observer = false)
    {
        var request = TestCalls.JoinRequest(Id, metricsAddress);
        request.Observer = observer;
        return request.SignedBy(Key, NextTimeMs());
    }

    public HeartbeatRequest Heartbeat(PeerStatus? status = null) => new HeartbeatRequest { PeerId = Id, Status = status }.SignedBy(Key, NextTimeMs());

    public LeaveRequest Leave() => new LeaveRequest { PeerId = Id }.SignedBy(Key, NextTimeMs());

    public long NextTimeMs()
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        return _lastTimeMs = Math.Max(now, _lastTimeMs + 1);
    }

    /// <summary>Members ordered as the bootstrap lists them: by peer id.</summary>
    public static TestMember[] Several(int count, TimeProvider? clock = null) =>
        [.. Enumerable.Range(0, count).Select(_ => new TestMember(clock)).OrderBy(m => m.Id, StringComparer.Ordinal)];

    public void Dispose() => Key.Dispose();
}
