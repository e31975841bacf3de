using MlAspire.Integration.Tests;

namespace MlAspire.Monitoring.Tests;

/// <summary>A real Prometheus on the shipped configuration finds every peer through the Bootstrap and scrapes everything.</summary>
[Collection(MonitoredClusterCollection.Name)]
public sealed class PrometheusScrapeTests(MonitoredCluster cluster)
{
    [Fact]
    public async Task Every_peer_is_discovered_through_the_bootstrap_and_every_target_is_up()
    {
        // Each peer's own word for its id (over its gRPC status), to compare with what Prometheus discovered.
        var peerIds = new HashSet<string>(StringComparer.Ordinal);
        await Eventually.TrueAsync(async () =>
        {
            foreach (var peer in cluster.Peers)
                peerIds.Add((await peer.StatusAsync()).PeerId);
            return peerIds.Count == cluster.Peers.Count;
        }, MonitoredCluster.Patience, cluster.Logs);

        await Eventually.TrueAsync(async () =>
        {
            var up = await cluster.Prometheus.QueryAsync("up{job=\"peers\"} == 1");
            return up.Select(s => s.Labels.GetValueOrDefault("peer_id", "")).ToHashSet().SetEquals(peerIds);
        }, MonitoredCluster.Patience, () => $"peers discovered or up: {Describe()}");

        // The address each peer was scraped at is the one it gave the Bootstrap: its own HTTP port.
        var peers = await cluster.Prometheus.QueryAsync("up{job=\"peers\"}");
        Assert.Equal(cluster.Peers.Select(p => $"127.0.0.1:{p.HttpPort}").Order(), peers.Select(s => s.Labels["instance"]).Order());

        foreach (var (job, count) in new[] { ("bootstrap", 1), ("visualization", 1), ("ipfs", cluster.IpfsNodes.Count) })
            await Eventually.TrueAsync(async () => (await cluster.Prometheus.QueryAsync($"up{{job=\"{job}\"}} == 1")).Count == count,
                MonitoredCluster.Patience, () => $"{job}: {Describe()}");
    }

    [Fact]
    public async Task Training_and_transaction_counters_increase_for_every_peer()
    {
        string[] counters = ["mlaspire_peer_trainings_total", "mlaspire_peer_transactions_published_total", "mlaspire_peer_transactions_received_total"];
        var first = new Dictionary<(string Counter, string Peer), double>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var counter in counters)
                foreach (var (labels, value) in await cluster.Prometheus.QueryAsync($"sum by (peer_id) ({counter})"))
                    first[(counter, labels.GetValueOrDefault("peer_id", ""))] = value;
            return first.Count == counters.Length * cluster.Peers.Count;
        }, MonitoredCluster.Patience, () => $"scraped counters: {string.Join(", ", first)}\n{cluster.Logs()}");

        // Peers train every 300 ms and hear each other over IPFS pubsub: the next scrapes must show more of everything.
        await Eventually.TrueAsync(async () =>
        {
            foreach (var counter in counters)
                foreach (var (labels, value) in await cluster.Prometheus.QueryAsync($"sum by (peer_id) ({counter})"))
                    if (value <= first[(counter, labels["peer_id"])])
                        return false;
            return true;
        }, MonitoredCluster.Patience, () => $"counters did not all increase from {string.Join(", ", first)}\n{cluster.Logs()}");
    }

    /// <summary>For failure messages: Prometheus's view of its targets (with their last scrape errors) and every process's log.</summary>
    private string Describe() => $"{cluster.Prometheus.TargetsAsync().GetAwaiter().GetResult()}\n{cluster.Logs()}";
}
