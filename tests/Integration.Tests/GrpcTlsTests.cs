using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Peer.Grpc;

namespace MlAspire.Integration.Tests;

/// <summary>
/// gRPC over TLS between real processes, with certificates from the operators' script (deploy/tls/grpc-certs.sh): the
/// Bootstrap and peers talk only to servers their CA signed, nobody without that CA gets an answer, a renewed
/// certificate is served without a restart, and a peer outside the cluster joins with exactly the settings
/// docs/k3s.md lists.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class GrpcTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TestCertificates _certificates = new();
    private LocalCluster _cluster = null!;
    private NetworkLab? _lab;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _lab?.Dispose();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Peers_and_the_Bootstrap_talk_only_over_TLS_to_servers_their_CA_signed()
    {
        _cluster = new LocalCluster(tls: _certificates);
        // The Bootstrap's certificate as the kubelet mounts a Secret: file → ..data/file, ..data → a timestamped folder,
        // and a renewal swaps ..data in one rename.
        var mount = Directory.CreateDirectory(Path.Combine(_certificates.Directory, "bootstrap-mount")).FullName;
        MountSecret(mount, Path.Combine(_certificates.Directory, "bootstrap"), "..2026_12_07_1");
        _cluster.StartBootstrap(new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__grpc__Certificate__Path"] = Path.Combine(mount, "tls.crt"),
            ["Kestrel__Endpoints__grpc__Certificate__KeyPath"] = Path.Combine(mount, "tls.key"),
        });
        // A finds the Bootstrap through service discovery, as in the cluster; B, the native program (ahead-of-time
        // compiled, as in the images), is given its address.
        var a = _cluster.StartPeer("tls-a", settings: new Dictionary<string, string>
        {
            ["Peer__BootstrapAddress"] = "",
            ["services__bootstrap__grpc__0"] = _cluster.BootstrapAddress,
        });
        var b = _cluster.StartPeer("tls-b", native: true);

        // Each learns from the other, over TLS both ways.
        await Eventually.TrueAsync(async () =>
        {
            var (statusA, statusB) = (await a.StatusAsync(), await b.StatusAsync());
            return (await a.TransactionsAsync()).Any(t => t.Publisher == statusB.PeerId)
                && (await b.TransactionsAsync()).Any(t => t.Publisher == statusA.PeerId)
                && statusA.TangleSize >= 10 && statusB.TangleSize >= 10;
        }, Patience, _cluster.Logs);

        // The Visualization follows both peers, calling them and the Bootstrap over TLS (its token from a file).
        var visualizationUrl = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        var tokenFile = Path.Combine(_certificates.Directory, "join-token");
        File.WriteAllText(tokenFile, LocalCluster.JoinToken);
        await using var visualization = ServiceProcess.Start("visualization", "Visualization", new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__http__Url"] = visualizationUrl,
            ["Visualization__BootstrapAddress"] = _cluster.BootstrapAddress,
            ["Visualization__JoinTokenFile"] = tokenFile,
            ["Tls__CaFile"] = _certificates.CaFile,
        });
        await Eventually.TrueAsync(async () => (await LivePeersAsync(visualizationUrl)) >= 2, Patience, () => $"{visualization.Output}\n{_cluster.Logs()}");

        // A client that does not trust the network's CA refuses the servers, and one that does refuses a certificate for
        // another name ("localhost": the Bootstrap's is for 127.0.0.1); a cleartext one gets no answer, even with the
        // join token, from a Bootstrap that answers the trusted client right after.
        var bootstrapPort = _cluster.BootstrapGrpcPort;
        await AssertRefusedAsync(() => Bootstrap($"https://127.0.0.1:{bootstrapPort}").ListPeersAsync(new ListPeersRequest(), Token(), DateTime.UtcNow.AddSeconds(5)).ResponseAsync, untrusted: true);
        await AssertRefusedAsync(() => new TangleSync.TangleSyncClient(GrpcChannel.ForAddress($"https://127.0.0.1:{a.GrpcPort}")).GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync, untrusted: true);
        var trustedWrongName = new Bootstrap.Grpc.Bootstrap.BootstrapClient(_cluster.Channel($"https://localhost:{bootstrapPort}"));
        await AssertRefusedAsync(() => trustedWrongName.ListPeersAsync(new ListPeersRequest(), Token(), DateTime.UtcNow.AddSeconds(5)).ResponseAsync, untrusted: true);
        await AssertRefusedAsync(() => Bootstrap($"http://127.0.0.1:{bootstrapPort}").ListPeersAsync(new ListPeersRequest(), Token(), DateTime.UtcNow.AddSeconds(5)).ResponseAsync, untrusted: false);
        await _cluster.BootstrapClient().ListPeersAsync(new ListPeersRequest(), deadline: DateTime.UtcNow.AddSeconds(5));

        // A peer of another network (another CA) refuses this Bootstrap, so it never joins.
        using var otherNetwork = new TestCertificates();
        otherNetwork.Issue("peers", "127.0.0.1");
        var strangerGrpc = ServiceProcess.FreePort();
        var stranger = _cluster.StartPeer("tls-stranger", grpcPort: strangerGrpc,
            settings: otherNetwork.ServerSettings("peers", $"https://127.0.0.1:{strangerGrpc}"));
        await Eventually.TrueAsync(() => Task.FromResult(stranger.Process.FirstLine("The remote certificate is invalid") is not null), Patience, _cluster.Logs);
        var members = await _cluster.BootstrapClient().ListPeersAsync(new ListPeersRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.DoesNotContain(members.Peers, member => member.GrpcAddress.EndsWith($":{strangerGrpc}", StringComparison.Ordinal));

        // A renewed certificate (a new key, a new serial) is served to new connections without a restart.
        var renewed = _certificates.Issue("bootstrap-renewed", "127.0.0.1");
        MountSecret(mount, renewed, "..2026_12_07_2");
        var expected = new X509Certificate2Collection();
        expected.ImportFromPemFile(Path.Combine(renewed, "tls.crt"));
        // Kestrel rebinds the endpoint to take the new certificate: for a moment nothing listens.
        await Eventually.TrueAsync(async () => (await ServedCertificateAsync(bootstrapPort))?.SequenceEqual(expected[0].RawData) == true, TimeSpan.FromSeconds(30),
            () => $"the Bootstrap still serves its first certificate\n{_cluster.Logs()}");
        Assert.False(_cluster.Bootstrap!.HasExited);
        await _cluster.BootstrapClient().ListPeersAsync(new ListPeersRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
    }

    /// <summary>
    /// The outside peer lives in a network namespace of its own (another machine's network stack: its own address,
    /// its own loopback and ports), routed to the cluster's: the Bootstrap on the bridge's address and a peer in a
    /// second namespace. Its settings are the documented block, with only the example's addresses and files replaced.
    /// </summary>
    [Fact]
    public async Task A_peer_outside_started_with_only_the_documented_settings_joins_and_catches_up()
    {
        _lab = NetworkLab.Create(2);
        _cluster = new LocalCluster(_lab.HostAddress, tls: _certificates);
        _cluster.StartBootstrap();
        var inside = _cluster.StartPeer("inside", wrapper: _lab.Inside(0), host: _lab.Address(0));
        await Eventually.TrueAsync(async () => (await inside.StatusAsync()).TangleSize >= 15, Patience, _cluster.Logs);
        var before = (await inside.StatusAsync()).TangleSize;

        var address = _lab.Address(1);
        var tls = _certificates.Issue("outside-1", address);
        var data = Path.Combine(_certificates.Directory, "outside-data");
        var tokenFile = Path.Combine(_certificates.Directory, "join-token");
        File.WriteAllText(tokenFile, LocalCluster.JoinToken + "\n");
        var environment = DocumentedOutsidePeerSettings().ToDictionary(pair => pair.Key, pair => pair.Value
            .Replace("bootstrap-pods.mlaspire.svc.cluster.local:5101", $"{_lab.HostAddress}:{_cluster.BootstrapGrpcPort}")
            .Replace("10.99.0.2", address)
            .Replace("/etc/mlaspire/tls/", tls + "/")
            .Replace("/etc/mlaspire/join-token", tokenFile)
            .Replace("/var/lib/mlaspire-peer", data));
        Assert.All(environment, pair => Assert.DoesNotMatch("/etc/|/var/|10\\.99\\.|svc\\.cluster", pair.Value));

        await using var process = ServiceProcess.Start("outside", "Peer", environment, wrapper: _lab.Inside(1));
        var grpc = new Uri(environment["Peer__AdvertisedGrpcAddress"]).Port;
        var outside = new RunningPeer("outside", process, _cluster.Channel($"https://{address}:{grpc}"), data, HttpPort: 0, grpc, _cluster.Observer);
        await Eventually.TrueAsync(async () => (await outside.StatusAsync()).TangleSize >= before, Patience, () => $"{process.Output}\n{_cluster.Logs()}");
        var outsideId = (await outside.StatusAsync()).PeerId;
        await Eventually.TrueAsync(async () => (await inside.TransactionsAsync()).Any(t => t.Publisher == outsideId), Patience, () => $"{process.Output}\n{_cluster.Logs()}");
        Assert.Equal(0, (await outside.StatusAsync()).Rejected);
    }

    /// <summary>How many peers the Visualization's first event ("snapshot") shows as live: their streams and status answer.</summary>
    private static async Task<int> LivePeersAsync(string visualizationUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync($"{visualizationUrl}/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
                continue;
            using var snapshot = System.Text.Json.JsonDocument.Parse(line["data:".Length..]);
            return snapshot.RootElement.GetProperty("peers").EnumerateArray()
                .Count(peer => peer.GetProperty("state").ToString() is "Live" or "live" or "1");
        }
        return 0;
    }

    /// <summary>The block in docs/k3s.md that starts "# outside-peer.env": NAME=VALUE per line.</summary>
    private static Dictionary<string, string> DocumentedOutsidePeerSettings()
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "k3s.md"))
            .SkipWhile(line => !line.StartsWith("# outside-peer.env", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(line => !line.StartsWith("```", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 5, "docs/k3s.md has no \"# outside-peer.env\" block");
        return lines.Select(line => line.Split('=', 2)).ToDictionary(parts => parts[0], parts => parts[1]);
    }

    private static Bootstrap.Grpc.Bootstrap.BootstrapClient Bootstrap(string address) => new(GrpcChannel.ForAddress(address));

    private static Metadata Token() => new() { { "authorization", $"Bearer {LocalCluster.JoinToken}" } };

    private static async Task AssertRefusedAsync(Func<Task> call, bool untrusted)
    {
        var refusal = await Assert.ThrowsAsync<RpcException>(call);
        // No connection (Unavailable), or for cleartext one on which the server never completed the HTTP/2 handshake (Internal).
        Assert.True(refusal.StatusCode is StatusCode.Unavailable or StatusCode.Internal, refusal.ToString());
        if (untrusted)
            Assert.True(Causes(refusal).Any(cause => cause is AuthenticationException), refusal.ToString());
    }

    private static IEnumerable<Exception> Causes(Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
            yield return cause;
    }

    /// <summary>Points <paramref name="mount"/>'s files at a fresh copy of <paramref name="source"/>'s, as the kubelet updates a Secret volume.</summary>
    private static void MountSecret(string mount, string source, string version)
    {
        var folder = Directory.CreateDirectory(Path.Combine(mount, version)).FullName;
        foreach (var file in new[] { "tls.crt", "tls.key", "ca.crt" })
            File.Copy(Path.Combine(source, file), Path.Combine(folder, file));
        var next = Path.Combine(mount, "..data_tmp");
        File.CreateSymbolicLink(next, version);
        SystemCommand.Run("mv", "-T", next, Path.Combine(mount, "..data")); // rename(2) over the old link: atomic, as the kubelet's
        foreach (var file in new[] { "tls.crt", "tls.key", "ca.crt" })
            if (!File.Exists(Path.Combine(mount, file)))
                File.CreateSymbolicLink(Path.Combine(mount, file), Path.Combine("..data", file));
    }

    /// <summary>The certificate a new TLS connection to the port is given (not validated: only compared); null while nothing listens.</summary>
    private static async Task<byte[]?> ServedCertificateAsync(int port)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port);
        }
        catch (SocketException)
        {
            return null;
        }
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        });
        return tls.RemoteCertificate!.GetRawCertData();
    }
}
