using System.Net.Http.Json;
using MlAspire.AppHost;
using MlAspire.Integration.Tests;
using MlAspire.Storage.Tests.Ipfs;

namespace MlAspire.Monitoring.Tests;

[CollectionDefinition(Name)]
public sealed class MonitoredClusterCollection : ICollectionFixture<MonitoredCluster>
{
    public const string Name = "monitored cluster";
}

/// <summary>
/// The system as Prometheus sees it on one machine: a Bootstrap, two peers on their own js-ipfs nodes, the
/// Visualization, and a real Prometheus running deploy/prometheus/prometheus.yml as the AppHost renders it (peers found
/// through the Bootstrap's /sd/peers; Bootstrap, Visualization and IPFS nodes from the rendered target files).
/// </summary>
public sealed class MonitoredCluster : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly LocalCluster _cluster = new();
    private readonly List<JsIpfsNode> _nodes = [];
    private readonly string _configDirectory = Directory.CreateTempSubdirectory("mlaspire-prometheus-config-").FullName;
    private ServiceProcess? _visualization;

    public PrometheusServer Prometheus { get; private set; } = null!;

    public IReadOnlyList<RunningPeer> Peers => _cluster.Peers;

    public IReadOnlyList<JsIpfsNode> IpfsNodes => _nodes;

    public string ConfigFile { get; private set; } = "";

    public Uri BootstrapMetrics => new($"http://127.0.0.1:{_cluster.BootstrapHttpPort}/metrics");

    public Uri VisualizationMetrics { get; } = new($"http://127.0.0.1:{ServiceProcess.FreePort()}/metrics");

    public static Uri PeerMetrics(RunningPeer peer) => new($"http://127.0.0.1:{peer.HttpPort}/metrics");

    public static Uri IpfsMetrics(JsIpfsNode node) => new(node.ApiAddress, "debug/metrics/prometheus");

    public async Task InitializeAsync()
    {
        PrometheusServer.RequireInstalled();
        var tools = Path.Combine(Repository.Root, "tools", "ipfs");
        if (!File.Exists(Path.Combine(tools, "node_modules", ".bin", "jsipfs")))
            Assert.Fail("js-ipfs is not installed: run `bash tools/ipfs/setup.sh` (tests/run.sh does).");
        _nodes.AddRange(await JsIpfsNode.StartManyAsync(Path.Combine(tools, "start-node.sh"), 2, Patience));

        _cluster.StartBootstrap();
        // Retention every 2 s rather than 30 s, so that the store gauges exist within the test's time.
        var settings = new Dictionary<string, string> { ["Peer__RetentionInterval"] = "00:00:02" };
        _cluster.StartPeer("peer-a", ipfsApi: _nodes[0].ApiAddress.ToString(), settings: settings);
        _cluster.StartPeer("peer-b", ipfsApi: _nodes[1].ApiAddress.ToString(), settings: settings);
        _visualization = ServiceProcess.Start("visualization", "Visualization", new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{VisualizationMetrics.Port}",
            ["services__bootstrap__grpc__0"] = _cluster.BootstrapAddress,
        });

        // Prometheus reads /sd/peers when it starts: start it once both peers are registered, not a refresh later.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var discovery = new Uri($"http://127.0.0.1:{_cluster.BootstrapHttpPort}/sd/peers");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetFromJsonAsync<List<TargetGroup>>(discovery))?.Count == 2;
            }
            catch (TaskCanceledException)
            {
                return false; // a Bootstrap still starting on a busy machine
            }
        }, Patience, _cluster.Logs);

        ConfigFile = PrometheusConfig.Write(
            await File.ReadAllTextAsync(PrometheusConfig.TemplatePath(Repository.Root)),
            _configDirectory,
            bootstrap: $"127.0.0.1:{_cluster.BootstrapHttpPort}",
            serviceHost: "127.0.0.1",
            new Dictionary<string, IReadOnlyList<PrometheusConfig.Target>>
            {
                ["visualization"] = [new($"127.0.0.1:{VisualizationMetrics.Port}", new Dictionary<string, string>())],
                ["ipfs"] = [.. _nodes.Select((n, i) => new PrometheusConfig.Target(n.ApiAddress.Authority, new Dictionary<string, string> { ["node"] = $"ipfs-{i}" }))],
            });
        Prometheus = await PrometheusServer.StartAsync(ConfigFile);
    }

    public string Logs() => $"{_cluster.Logs()}\n\n--- visualization ---\n{_visualization?.Output}\n\n--- prometheus ---\n{Prometheus?.Output}";

    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
            await Prometheus.DisposeAsync();
        if (_visualization is not null)
            await _visualization.DisposeAsync();
        await _cluster.DisposeAsync();
        foreach (var node in _nodes)
            await node.DisposeAsync();
        Directory.Delete(_configDirectory, recursive: true);
    }

    private sealed record TargetGroup(List<string> Targets, Dictionary<string, string> Labels);
}
