using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Peer.Grpc;

namespace MlAspire.Integration.Tests;

/// <summary>A running peer process with a client for its TangleSync service (calls carry the cluster observer's membership).</summary>
public sealed record RunningPeer(string Name, ServiceProcess Process, GrpcChannel Channel, string DataDirectory, int HttpPort, int GrpcPort, TestObserver Observer)
{
    private readonly Func<string> _peerId = PeerKeyFile.Id(DataDirectory);

    public TangleSync.TangleSyncClient Sync => new(Observer.Invoker(Channel.CreateCallInvoker(), _peerId));

    /// <summary>The peer's id (calls are addressed to it); IOException until the peer has created its key.</summary>
    public string PeerId => _peerId();

    public async Task<MlAspire.Peer.Grpc.PeerStatus> StatusAsync() =>
        await Sync.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5));

    public async Task<List<TransactionMessage>> TransactionsAsync()
    {
        using var call = Sync.ListTransactions(new ListTransactionsRequest { AfterSequence = -1 }, deadline: DateTime.UtcNow.AddSeconds(10));
        return await call.ResponseStream.ReadAllAsync().ToListAsync();
    }

    /// <summary>The value of the first sample named <paramref name="name"/> with every given label on the peer's /metrics, or null while it has none.</summary>
    public async Task<double?> MetricAsync(string name, params (string Label, string Value)[] labels) =>
        (await Exposition.ReadAsync(Name, new Uri($"http://127.0.0.1:{HttpPort}/metrics"))).Value(name, labels);
}

/// <summary>
/// Bootstrap and peers as real processes on loopback, each with its own data directory, in embedded storage mode.
/// Training is fast (logistic regression, a step every 300 ms) so that a tangle grows in seconds.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public const string JoinToken = "integration-secret";
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-cluster-").FullName;
    private readonly List<ServiceProcess> _processes = [];
    private readonly List<GrpcChannel> _channels = [];

    /// <param name="bootstrapHost">Where the Bootstrap listens: loopback, or a <see cref="NetworkLab"/>'s host address for peers in namespaces.</param>
    /// <param name="tls">
    /// Serve and call gRPC over TLS with certificates from this CA (the Bootstrap's issued as "bootstrap" for
    /// <paramref name="bootstrapHost"/>, the peers' as "peers-HOST" for the address each listens on); the tests' own
    /// clients trust it too. Null: cleartext h2c.
    /// </param>
    public LocalCluster(string bootstrapHost = "127.0.0.1", TestCertificates? tls = null)
    {
        _bootstrapHost = bootstrapHost;
        _tls = tls;
        Trust = tls is null ? GrpcTrust.Open : GrpcTrust.FromCaFile(tls.CaFile);
        tls?.Issue("bootstrap", bootstrapHost);
        Observer = new TestObserver(() => BootstrapClient());
    }

    private readonly string _bootstrapHost;
    private readonly TestCertificates? _tls;

    /// <summary>What the tests' clients accept from the cluster's gRPC servers.</summary>
    public GrpcTrust Trust { get; }

    private string Scheme => _tls is null ? "http" : "https";

    /// <summary>A channel to one of the cluster's gRPC servers, closed with the cluster.</summary>
    public GrpcChannel Channel(string address)
    {
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = Trust.Secure(new SocketsHttpHandler()) });
        _channels.Add(channel);
        return channel;
    }

    /// <summary>The tests' membership, to read peers' replicas.</summary>
    public TestObserver Observer { get; }

    public int BootstrapGrpcPort { get; } = ServiceProcess.FreePort();

    public int BootstrapHttpPort { get; } = ServiceProcess.FreePort();

    public string BootstrapAddress => $"{Scheme}://{_bootstrapHost}:{BootstrapGrpcPort}";

    /// <summary>Bootstrap settings under which a peer alone keeps publishing (PublishRule Always), so its replica grows.</summary>
    public static readonly IReadOnlyDictionary<string, string> LonePeerPublishes = new Dictionary<string, string> { ["Bootstrap__Learning__PublishRule"] = "Always" };

    /// <summary>Where the Bootstrap keeps its key and genesis (kept across its restarts).</summary>
    public string BootstrapDataDirectory => Path.Combine(_root, "bootstrap");

    public ServiceProcess? Bootstrap { get; private set; }

    public List<RunningPeer> Peers { get; } = [];

    public MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient BootstrapClient(string? token = JoinToken)
    {
        var invoker = Channel(BootstrapAddress).Intercept(metadata =>
        {
            if (token is not null) metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        });
        return new MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient(invoker);
    }

    /// <param name="settings">Overrides of the defaults below, e.g. Bootstrap__Model__Architecture=mlp.</param>
    public ServiceProcess StartBootstrap(IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{BootstrapHttpPort}",
            ["Kestrel__Endpoints__grpc__Url"] = BootstrapAddress,
            ["Bootstrap__JoinToken"] = JoinToken,
            ["Bootstrap__DataDirectory"] = BootstrapDataDirectory,
            ["Bootstrap__Model__Architecture"] = "logreg",
            ["Bootstrap__Training__Interval"] = "00:00:00.300",
            ["Bootstrap__HeartbeatInterval"] = "00:00:01",
            ["Bootstrap__Learning__ReferenceSamples"] = "10",
        };
        if (_tls is not null)
            foreach (var (key, value) in _tls.ServerSettings("bootstrap", BootstrapAddress))
                environment[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        Bootstrap = ServiceProcess.Start("bootstrap", "Bootstrap", environment);
        _processes.Add(Bootstrap);
        return Bootstrap;
    }

    /// <param name="wrapper">A command the peer runs under (see <see cref="ServiceProcess.Start"/>).</param>
    /// <param name="host">The address the peer listens on and advertises (a <see cref="NetworkLab"/> namespace's, run with its wrapper).</param>
    /// <param name="native">Run the peer's native program (<see cref="ServiceProcess.NativeProgram"/>) instead of its assembly.</param>
    public RunningPeer StartPeer(string name, string? dataDirectory = null, int? httpPort = null, int? grpcPort = null, string? ipfsApi = null,
        IReadOnlyDictionary<string, string>? settings = null, IReadOnlyList<string>? wrapper = null, string host = "127.0.0.1", bool native = false)
    {
        var http = httpPort ?? ServiceProcess.FreePort();
        var grpc = grpcPort ?? ServiceProcess.FreePort();
        var data = dataDirectory ?? Path.Combine(_root, name);
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__http__Url"] = $"http://{host}:{http}",
            ["Kestrel__Endpoints__grpc__Url"] = $"{Scheme}://{host}:{grpc}",
            ["Peer__BootstrapAddress"] = BootstrapAddress,
            ["Peer__JoinToken"] = JoinToken,
            ["Peer__DataDirectory"] = data,
        };
        if (_tls is not null)
        {
            if (!Directory.Exists(Path.Combine(_tls.Directory, $"peers-{host}")))
                _tls.Issue($"peers-{host}", host);
            foreach (var (key, value) in _tls.ServerSettings($"peers-{host}", $"{Scheme}://{host}:{grpc}"))
                environment[key] = value;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        if (ipfsApi is not null)
        {
            environment["Peer__Storage"] = "ipfs";
            environment["Peer__IpfsApi"] = ipfsApi;
        }
        var process = ServiceProcess.Start(name, "Peer", environment, wrapper, native);
        _processes.Add(process);
        var peer = new RunningPeer(name, process, Channel($"{Scheme}://{host}:{grpc}"), data, http, grpc, Observer);
        Peers.Add(peer);
        return peer;
    }

    public string Logs() => string.Join("\n\n", _processes.Select(p => $"--- {p.Name} ---\n{p.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        foreach (var channel in _channels)
            channel.Dispose();
        Observer.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process still closing a file: the temp folder is cleaned by the OS later.
        }
    }
}
