using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using MlAspire.Integration.Tests;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Tests.Ipfs;

namespace MlAspire.Benchmarks;

public enum StorageMode { Embedded, Ipfs }

/// <summary>A peer process of a <see cref="NetworkCluster"/> with a client for its TangleSync service.</summary>
/// <param name="Metrics">Its Prometheus endpoint.</param>
public sealed record BenchPeer(string Name, ServiceProcess Process, TangleSync.TangleSyncClient Sync, Uri Metrics)
{
    public async Task<PeerStatus> StatusAsync(CancellationToken cancellationToken) =>
        await Sync.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);

    /// <summary>VmHWM of the peer process (its peak resident set), in MiB; NaN when /proc does not have it.</summary>
    public double PeakResidentMegabytes()
    {
        try
        {
            var line = File.ReadLines($"/proc/{Process.ProcessId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? double.NaN : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}

/// <summary>
/// Bootstrap and peers as real processes on 127.0.0.1 (as tests/Integration.Tests starts them), each peer with its own
/// data directory and, in IPFS mode, its own js-ipfs node. Disposing kills every process it started, whatever happened.
/// </summary>
public sealed class NetworkCluster : IAsyncDisposable
{
    private const string JoinToken = "benchmark-secret";
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-bench-").FullName;
    private readonly List<ServiceProcess> _processes = [];
    private readonly List<JsIpfsNode> _nodes = [];
    private readonly List<GrpcChannel> _channels = [];
    private readonly int _bootstrapGrpcPort = ServiceProcess.FreePort();
    private readonly bool _nativePeers;
    private bool _disposed;

    private readonly TestObserver _observer;
    private readonly MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient _bootstrap;

    /// <summary>Null: cleartext h2c, as the AppHost runs locally; otherwise gRPC over TLS with this CA's certificates, as in the cluster.</summary>
    private readonly TestCertificates? _tls;

    /// <summary>What the benchmark's own clients accept: read once, for every channel.</summary>
    private readonly GrpcTrust _trust = GrpcTrust.Open;

    private NetworkCluster(StorageMode mode, bool nativePeers, bool tls)
    {
        Mode = mode;
        _nativePeers = nativePeers;
        if (tls)
        {
            _tls = new TestCertificates();
            _tls.Issue("services", "127.0.0.1");
            _trust = GrpcTrust.FromCaFile(_tls.CaFile);
        }
        var bootstrapChannel = Channel(_bootstrapGrpcPort);
        _bootstrap = new MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient(bootstrapChannel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {JoinToken}");
            return metadata;
        }));
        _observer = new TestObserver(() => _bootstrap);
    }

    public StorageMode Mode { get; }

    public List<BenchPeer> Peers { get; } = [];

    /// <summary>In IPFS mode, each peer's js-ipfs node, in the order of <see cref="Peers"/>; empty in embedded mode.</summary>
    public IReadOnlyList<JsIpfsNode> Nodes => _nodes;

    public string BootstrapAddress => Address(_bootstrapGrpcPort);

    private string Address(int port) => $"{(_tls is null ? "http" : "https")}://127.0.0.1:{port}";

    /// <summary>Settings for a process that calls gRPC (and serves it at <paramref name="grpcUrl"/>), none without TLS.</summary>
    public IReadOnlyDictionary<string, string> TlsSettings(string? grpcUrl = null) =>
        _tls is null ? new Dictionary<string, string>()
        : grpcUrl is null ? new Dictionary<string, string> { ["Tls__CaFile"] = _tls.CaFile }
        : _tls.ServerSettings("services", grpcUrl);

    private GrpcChannel Channel(int port)
    {
        var channel = GrpcChannel.ForAddress(Address(port), new GrpcChannelOptions
        {
            HttpHandler = _trust.Secure(new SocketsHttpHandler()),
        });
        _channels.Add(channel);
        return channel;
    }

    public string JoinSecret => JoinToken;

    /// <summary>The Bootstrap's current members.</summary>
    public async Task<int> MemberCountAsync(CancellationToken cancellationToken) =>
        (await _bootstrap.ListPeersAsync(new MlAspire.Bootstrap.Grpc.ListPeersRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken)).Peers.Count;

    /// <summary>Starts another process (the Visualization, say) that the cluster kills when it is disposed.</summary>
    public ServiceProcess StartService(string name, string project, IReadOnlyDictionary<string, string> environment) =>
        Track(ServiceProcess.Start(name, project, environment));

    /// <summary>Starts the nodes (IPFS mode), the bootstrap and <paramref name="peers"/> peers, and waits until every peer has joined and is serving its tangle.</summary>
    /// <param name="nativePeers">Run the peers' native program (<c>tools/native/publish.sh</c>) instead of their assembly.</param>
    /// <param name="tls">Serve and call gRPC over TLS, with certificates from deploy/tls/grpc-certs.sh.</param>
    public static async Task<NetworkCluster> StartAsync(StorageMode mode, int peers, IReadOnlyDictionary<string, string> bootstrapSettings, bool nativePeers, CancellationToken cancellationToken, bool tls = false)
    {
        var cluster = new NetworkCluster(mode, nativePeers, tls);
        LiveClusters[cluster] = 0;
        try
        {
            await cluster.StartAsync(peers, bootstrapSettings, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(int peers, IReadOnlyDictionary<string, string> bootstrapSettings, CancellationToken cancellationToken)
    {
        if (Mode == StorageMode.Ipfs)
        {
            var script = Path.Combine(Repository.Root, "tools", "ipfs", "start-node.sh");
            // Not cancellable: a node still starting when the run is cancelled would be left behind.
            _nodes.AddRange(await JsIpfsNode.StartManyAsync(script, peers, TimeSpan.FromSeconds(120)));
            cancellationToken.ThrowIfCancellationRequested();
        }

        var bootstrapAddress = BootstrapAddress;
        var bootstrapEnvironment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Kestrel__Endpoints__grpc__Url"] = bootstrapAddress,
            ["Bootstrap__JoinToken"] = JoinToken,
            ["Bootstrap__DataDirectory"] = Path.Combine(_root, "bootstrap"),
            ["Bootstrap__HeartbeatInterval"] = "00:00:01",
        };
        foreach (var (key, value) in bootstrapSettings.Concat(TlsSettings(bootstrapAddress)))
            bootstrapEnvironment[key] = value;
        Track(ServiceProcess.Start("bootstrap", "Bootstrap", bootstrapEnvironment));

        for (var i = 0; i < peers; i++)
        {
            var name = $"peer-{i + 1:D2}";
            var grpcPort = ServiceProcess.FreePort();
            var httpAddress = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
            var environment = new Dictionary<string, string>
            {
                ["Kestrel__Endpoints__http__Url"] = httpAddress,
                ["Kestrel__Endpoints__grpc__Url"] = Address(grpcPort),
                ["Peer__BootstrapAddress"] = bootstrapAddress,
                ["Peer__JoinToken"] = JoinToken,
                ["Peer__DataDirectory"] = Path.Combine(_root, name),
                // Training steps are logged at Information: keep the peers' console quiet at this rate.
                ["Logging__LogLevel__Default"] = "Warning",
            };
            foreach (var (key, value) in TlsSettings(Address(grpcPort)))
                environment[key] = value;
            if (Mode == StorageMode.Ipfs)
            {
                environment["Peer__Storage"] = "ipfs";
                environment["Peer__IpfsApi"] = _nodes[i].ApiAddress.ToString();
            }
            var process = Track(ServiceProcess.Start(name, "Peer", environment, native: _nativePeers));
            var channel = Channel(grpcPort);
            // Peers serve members only: the benchmark reads them as an observer, as the Visualization does.
            var client = new TangleSync.TangleSyncClient(_observer.Invoker(channel.CreateCallInvoker(), PeerKeyFile.Id(environment["Peer__DataDirectory"])));
            Peers.Add(new BenchPeer(name, process, client, new Uri($"{httpAddress}/metrics")));
        }

        var expectedKind = Mode == StorageMode.Ipfs ? "ipfs" : "embedded";
        await UntilAsync(async () =>
        {
            foreach (var peer in Peers)
            {
                var status = await peer.StatusAsync(cancellationToken);
                if (string.IsNullOrEmpty(status.PeerId) || string.IsNullOrEmpty(status.GenesisCid) || status.StorageKind != expectedKind)
                    return false;
            }
            return await MemberCountAsync(cancellationToken) == peers;
        }, TimeSpan.FromSeconds(120 + 3 * peers), "every peer joined and serving its tangle", cancellationToken);
    }

    /// <summary>Polls <paramref name="condition"/> (gRPC and connection errors count as "not yet") until it holds.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var exited = _processes.FirstOrDefault(p => p.HasExited);
            if (exited is not null)
                throw new InvalidOperationException($"{exited.Name} exited while waiting for {what}.\n{Logs()}");
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is RpcException { StatusCode: not StatusCode.Cancelled } or HttpRequestException or IOException)
            {
                // Not up yet.
            }
            await Task.Delay(250, cancellationToken);
        }
        throw new TimeoutException($"Not true after {timeout.TotalSeconds:F0} s: {what}.\n{Logs()}");
    }

    public string Logs() => string.Join("\n\n", _processes.Select(p => $"--- {p.Name} ---\n{string.Join('\n', p.Output.Split('\n').TakeLast(30))}"));

    private ServiceProcess Track(ServiceProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_processes)
        {
            if (_disposed) return;
            _disposed = true;
        }
        foreach (var channel in _channels)
            channel.Dispose();
        _observer.Dispose();
        // All at once: fifty kills one after another, each waiting for its process, took minutes on a loaded machine.
        await Task.WhenAll(_processes.Select(process => Task.Run(async () => await process.DisposeAsync())));
        foreach (var node in _nodes)
        {
            try
            {
                await node.DisposeAsync();
            }
            catch (IOException)
            {
                // Its repo is still being written as the node dies: the temp folder is cleaned by the OS later.
            }
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process still closing a file: the temp folder is cleaned by the OS later.
        }
        _tls?.Dispose();
        LiveClusters.TryRemove(this, out _);
    }

    private static readonly ConcurrentDictionary<NetworkCluster, byte> LiveClusters = new();

    /// <summary>
    /// Last resort when the benchmark ends without unwinding (a second Ctrl+C, SIGTERM while cleaning up): kills
    /// whatever any cluster still runs. Safe to run next to a <see cref="DisposeAsync"/> in progress.
    /// </summary>
    public static void KillAll()
    {
        foreach (var cluster in LiveClusters.Keys)
        {
            foreach (var process in cluster._processes.ToArray())
            {
                try
                {
                    process.Kill();
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Already disposed by the unwinding run.
                }
            }
            foreach (var node in cluster._nodes.ToArray())
            {
                try
                {
                    node.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
                }
                catch (Exception e) when (e is AggregateException or InvalidOperationException or IOException)
                {
                    // Already disposed by the unwinding run.
                }
            }
        }
    }
}
