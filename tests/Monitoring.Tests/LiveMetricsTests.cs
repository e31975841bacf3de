using MlAspire.AppHost;
using MlAspire.Integration.Tests;

namespace MlAspire.Monitoring.Tests;

/// <summary>What the services really export, read from their live endpoints, against the dashboards and promtool.</summary>
[Collection(MonitoredClusterCollection.Name)]
public sealed class LiveMetricsTests(MonitoredCluster cluster)
{
    /// <summary>
    /// Rows whose panels read exporters that cannot run here, and the metric name prefix allowed there when the name is
    /// in no live exposition: Kubo's own metrics (js-ipfs, the IPFS node available here, exports other names; no Kubo
    /// can be installed on these machines) and the kubelet's cAdvisor (K3s). Everything else must be exported live.
    /// </summary>
    private static readonly Dictionary<string, string> ExternalExporterRows = new(StringComparer.Ordinal)
    {
        ["IPFS nodes (Kubo)"] = "ipfs_",
        ["Containers (K3s, cAdvisor)"] = "container_",
    };

    [Fact]
    public async Task Every_dashboard_query_names_only_metrics_the_services_export()
    {
        var expositions = await ReadAllAsync(waitFor: ["mlaspire_peer_ipfs_request_duration_seconds_bucket", "mlaspire_peer_store_size_bytes",
            "mlaspire_peer_training_interval_seconds_bucket", "mlaspire_peer_reference_accuracy"]);
        var exported = expositions.SelectMany(e => e.SampleNames).ToHashSet(StringComparer.Ordinal);
        // Series Prometheus makes itself for every target (up, scrape_duration_seconds, ...): in no exposition, but real.
        var generated = (await cluster.Prometheus.MetricNamesAsync()).Where(n => n == "up" || n.StartsWith("scrape_", StringComparison.Ordinal));
        exported.UnionWith(generated);

        var unknown = new List<string>();
        foreach (var query in GrafanaFiles.Queries())
            foreach (var name in PromQl.MetricNames(query.Expression).Where(n => !exported.Contains(n)))
            {
                if (!(ExternalExporterRows.TryGetValue(query.Row, out var prefix) && name.StartsWith(prefix, StringComparison.Ordinal)))
                    unknown.Add($"{query.Dashboard} / {query.Row} / {query.Panel}: {name} in {query.Expression}");
            }
        Assert.True(unknown.Count == 0, $"Dashboard queries name metrics nobody exports:\n{string.Join('\n', unknown)}");
    }

    [Fact]
    public async Task Every_service_exposition_passes_promtool_check_metrics()
    {
        foreach (var exposition in await ReadAllAsync(waitFor: []))
        {
            if (exposition.Source.StartsWith("ipfs", StringComparison.Ordinal))
                continue; // js-ipfs's own exposition (not ours) names gauges *_total, which promtool flags; see docs/monitoring.md.
            var (exitCode, output) = await Promtool.RunAsync(["check", "metrics"], exposition.Text);
            Assert.True(exitCode == 0, $"promtool check metrics on {exposition.Source} exited {exitCode}:\n{output}");
        }
    }

    [Fact]
    public async Task Peer_metrics_follow_prometheus_naming_with_units_and_reasons()
    {
        // The histogram appears with the peer's first training step.
        var peer = (await ReadAllAsync(waitFor: ["mlaspire_peer_training_duration_seconds_bucket"])).First(e => e.Source == cluster.Peers[0].Name);
        foreach (var name in new[]
        {
            "mlaspire_peer_transactions_received_total", "mlaspire_peer_transactions_published_total", "mlaspire_peer_transactions_rejected_total",
            "mlaspire_peer_publish_errors_total", "mlaspire_peer_trainings_total", "mlaspire_peer_training_errors_total",
            "mlaspire_peer_training_duration_seconds_bucket", "mlaspire_peer_tangle_transactions", "mlaspire_peer_tangle_tips", "mlaspire_peer_tangle_pending",
            "mlaspire_peer_retention_released_total",
        })
            Assert.Contains(name, peer.SampleNames);
        // Every rejection reason is a series from the start, at zero until it happens.
        foreach (var reason in Enum.GetValues<MlAspire.Storage.Transactions.RejectionReason>())
            Assert.NotNull(peer.Value("mlaspire_peer_transactions_rejected_total", ("reason", MlAspire.Storage.Transactions.RejectionReasons.Label(reason))));
        foreach (var refusal in new[] { "no_membership", "watchers_full", "lists_full" })
            Assert.NotNull(peer.Value("mlaspire_peer_calls_refused_total", ("reason", refusal)));
        Assert.Contains("# TYPE mlaspire_peer_training_duration_seconds histogram", peer.Text);
        Assert.Contains("# TYPE mlaspire_peer_store_size_bytes gauge", peer.Text);
    }

    /// <summary>
    /// In K3s the IPFS node's API listens on loopback only, so Prometheus scrapes the node's metrics through its peer: the
    /// page at /metrics/ipfs is the js-ipfs node's, started when its node started. (Which series a node exports varies
    /// between reads, with its connections; its start time does not.)
    /// </summary>
    [Fact]
    public async Task Each_peer_forwards_its_own_ipfs_nodes_metrics()
    {
        for (var i = 0; i < cluster.Peers.Count; i++)
        {
            var direct = await Exposition.ReadAsync($"ipfs-{i}", MonitoredCluster.IpfsMetrics(cluster.IpfsNodes[i]));
            var forwarded = await Exposition.ReadAsync(cluster.Peers[i].Name, new Uri($"http://127.0.0.1:{cluster.Peers[i].HttpPort}/metrics/ipfs"));

            Assert.Contains("ipfs_bitswap_wantlist", forwarded.SampleNames);
            Assert.Contains("nodejs_heap_size_total_bytes", forwarded.SampleNames);
            Assert.DoesNotContain(forwarded.SampleNames, name => name.StartsWith("mlaspire_", StringComparison.Ordinal));
            Assert.NotNull(direct.Value("process_start_time_seconds"));
            Assert.Equal(direct.Value("process_start_time_seconds"), forwarded.Value("process_start_time_seconds"));
        }
    }

    [Fact]
    public async Task The_shipped_and_the_rendered_prometheus_configurations_pass_promtool_check_config()
    {
        foreach (var config in new[] { PrometheusConfig.TemplatePath(Repository.Root), cluster.ConfigFile })
        {
            var (exitCode, output) = await Promtool.RunAsync(["check", "config", config]);
            Assert.True(exitCode == 0, $"promtool check config {config} exited {exitCode}:\n{output}");
            Assert.DoesNotContain("WARNING", output);
        }
    }

    /// <summary>
    /// The live expositions of the Bootstrap, every peer, the Visualization and every IPFS node, once each sample name in
    /// <paramref name="waitFor"/> shows in every peer's (histograms and gauges appear with their first measurement).
    /// </summary>
    private async Task<List<Exposition>> ReadAllAsync(string[] waitFor)
    {
        var expositions = new List<Exposition>();
        bool ExportedByEveryPeer(string name) => cluster.Peers.All(p => expositions.Any(e => e.Source == p.Name && e.SampleNames.Contains(name)));
        await Eventually.TrueAsync(async () =>
        {
            expositions =
            [
                await Exposition.ReadAsync("bootstrap", cluster.BootstrapMetrics),
                await Exposition.ReadAsync("visualization", cluster.VisualizationMetrics),
                .. await Task.WhenAll(cluster.Peers.Select(p => Exposition.ReadAsync(p.Name, MonitoredCluster.PeerMetrics(p)))),
                .. await Task.WhenAll(cluster.IpfsNodes.Select((n, i) => Exposition.ReadAsync($"ipfs-{i}", MonitoredCluster.IpfsMetrics(n)))),
            ];
            return waitFor.All(ExportedByEveryPeer);
        }, MonitoredCluster.Patience, () => $"not exported by every peer: {string.Join(", ", waitFor.Where(n => !ExportedByEveryPeer(n)))}\n{cluster.Logs()}");
        return expositions;
    }
}
