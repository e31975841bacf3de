using System.Diagnostics;
using Grpc.Core;
using MlAspire.Integration.Tests;
using MlAspire.Peer.Grpc;

namespace MlAspire.Benchmarks;

/// <summary>
/// Real Bootstrap and Peer processes on loopback, in both storage modes (embedded, and IPFS with one js-ipfs node per
/// peer): how long a transaction takes from its publisher to another peer, how many transactions per second the
/// network absorbs, and how much memory a peer process peaks at. Every transaction is published (publish rule
/// "always") so that what is measured is the network, not how often a model happens to improve.
/// </summary>
public static class NetworkBenchmarks
{
    private const int LatencyWarmup = 10;
    private const int LatencySamples = 100;
    private static readonly TimeSpan LatencyInterval = TimeSpan.FromMilliseconds(500);
    private const int ThroughputPeers = 4;
    private static readonly TimeSpan ThroughputInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ThroughputWarmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ThroughputWindow = TimeSpan.FromSeconds(20);

    /// <param name="only">Null for both storage modes, or the one to run.</param>
    public static async Task RunAsync(StorageMode? only, CancellationToken cancellationToken)
    {
        Console.WriteLine("== Network (Bootstrap + peers as processes on 127.0.0.1; publish rule \"always\") ==");
        var modes = only is { } mode ? new List<StorageMode> { mode } : [StorageMode.Embedded, StorageMode.Ipfs];
        if (modes.Contains(StorageMode.Ipfs) && !File.Exists(Path.Combine(Repository.Root, "tools", "ipfs", "node_modules", ".bin", "jsipfs")))
        {
            Console.WriteLine("(IPFS mode skipped: js-ipfs is not installed; run `bash tools/ipfs/setup.sh`.)");
            modes.Remove(StorageMode.Ipfs);
        }

        foreach (var storage in modes)
        {
            var total = Stopwatch.StartNew();
            await LatencyAsync(storage, cancellationToken);
            await ThroughputAsync(storage, cancellationToken);
            Console.WriteLine($"{"",-10} ({storage} took {total.Elapsed.TotalSeconds:F0} s)");
        }
        Console.WriteLine();
    }

    /// <summary>
    /// Two peers, MLP, a step every 500 ms: for each transaction peer A publishes, the time from its created_at_ms
    /// (stamped on A just before A stores and announces it) to its arrival on peer B's WatchTransactions stream, read
    /// here. Same machine, same clock.
    /// </summary>
    private static async Task LatencyAsync(StorageMode mode, CancellationToken cancellationToken)
    {
        await using var cluster = await NetworkCluster.StartAsync(mode, 2, new Dictionary<string, string>
        {
            ["Bootstrap__Model__Architecture"] = "mlp",
            ["Bootstrap__Training__Interval"] = LatencyInterval.ToString(),
            ["Bootstrap__Learning__PublishRule"] = "Always",
        }, nativePeers: false, cancellationToken);
        var (a, b) = (cluster.Peers[0], cluster.Peers[1]);
        var publisher = (await a.StatusAsync(cancellationToken)).PeerId;

        var samples = new List<double>();
        var seen = 0;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60) + 3 * (LatencyWarmup + LatencySamples) * LatencyInterval);
        using (var watch = b.Sync.WatchTransactions(new WatchTransactionsRequest(), cancellationToken: limit.Token))
        {
            try
            {
                while (samples.Count < LatencySamples && await watch.ResponseStream.MoveNext(limit.Token))
                {
                    var received = DateTimeOffset.UtcNow;
                    var transaction = watch.ResponseStream.Current;
                    if (transaction.Publisher != publisher || ++seen <= LatencyWarmup)
                        continue;
                    samples.Add((received - DateTimeOffset.FromUnixTimeMilliseconds(transaction.CreatedAtMs)).TotalMilliseconds);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine($"  (latency: only {samples.Count} samples before the time limit)");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine($"  (latency: only {samples.Count} samples before the time limit)");
            }
        }
        var memory = cluster.Peers.Select(p => p.PeakResidentMegabytes()).ToList();
        if (samples.Count == 0)
            throw new InvalidOperationException($"No transaction of peer A reached peer B ({mode}).\n{cluster.Logs()}");
        // A median that climbs from the first samples to the last is a backlog growing on B (it ingests slower than A publishes), not a steady latency.
        var edge = Math.Max(1, samples.Count / 5);
        var (early, late) = (Median(samples.Take(edge)), Median(samples.TakeLast(edge)));
        samples.Sort();
        Console.WriteLine($"{mode,-10} publish → visible on the other peer (2 peers, MLP, 500 ms steps): p50 {Percentile(samples, 0.50):F1} ms, p95 {Percentile(samples, 0.95):F1} ms, max {samples[^1]:F1} ms (n = {samples.Count} after {LatencyWarmup} warm-up; median of the first / last {edge}: {early:F0} / {late:F0} ms)");
        Console.WriteLine($"{"",-10} peak memory per peer (VmHWM): max {memory.Max():F0} MB, mean {memory.Average():F0} MB");
    }

    /// <summary>
    /// Four peers, logistic regression, a step every 100 ms (40 transactions/s offered): the growth of one peer's
    /// tangle over a fixed window, from GetStatus, against what all four published in the same window.
    /// </summary>
    private static async Task ThroughputAsync(StorageMode mode, CancellationToken cancellationToken)
    {
        await using var cluster = await NetworkCluster.StartAsync(mode, ThroughputPeers, new Dictionary<string, string>
        {
            ["Bootstrap__Model__Architecture"] = "logreg",
            ["Bootstrap__Training__Interval"] = ThroughputInterval.ToString(),
            ["Bootstrap__Learning__PublishRule"] = "Always",
        }, nativePeers: false, cancellationToken);
        var watcher = cluster.Peers[^1];
        await cluster.UntilAsync(async () =>
        {
            foreach (var peer in cluster.Peers)
                if ((await peer.StatusAsync(cancellationToken)).Published == 0)
                    return false;
            return true;
        }, TimeSpan.FromSeconds(60), "every peer published", cancellationToken);
        await Task.Delay(ThroughputWarmup, cancellationToken);

        var before = await SnapshotAsync(cluster, watcher, cancellationToken);
        await Task.Delay(ThroughputWindow, cancellationToken);
        var after = await SnapshotAsync(cluster, watcher, cancellationToken);
        var seconds = (after.Timestamp - before.Timestamp) / (double)Stopwatch.Frequency;
        double Rate(Func<Snapshot, long> counter) => (counter(after) - counter(before)) / seconds;
        var statuses = await Task.WhenAll(cluster.Peers.Select(p => p.StatusAsync(cancellationToken)));
        var memory = cluster.Peers.Select(p => p.PeakResidentMegabytes()).ToList();

        Console.WriteLine($"{mode,-10} absorbed ({ThroughputPeers} peers, logreg, 100 ms steps): {Rate(s => s.TangleSize):F1} tx/s into one peer's tangle over {seconds:F1} s, {Rate(s => s.Received):F1} tx/s of them received from the others; all {ThroughputPeers} published {Rate(s => s.Published):F1} tx/s");
        Console.WriteLine($"{"",-10} at the end: tangle sizes {string.Join(" / ", statuses.Select(s => s.TangleSize))}, pending {statuses.Sum(s => s.Pending)}, rejected {statuses.Sum(s => s.Rejected)}");
        Console.WriteLine($"{"",-10} peak memory per peer (VmHWM): max {memory.Max():F0} MB, mean {memory.Average():F0} MB");
    }

    private readonly record struct Snapshot(long Timestamp, long TangleSize, long Received, long Published);

    /// <summary>The watcher's tangle size and received count and all peers' published counts, stamped at the watcher's reply.</summary>
    private static async Task<Snapshot> SnapshotAsync(NetworkCluster cluster, BenchPeer watcher, CancellationToken cancellationToken)
    {
        var published = 0L;
        foreach (var peer in cluster.Peers.Where(p => p != watcher))
            published += (await peer.StatusAsync(cancellationToken)).Published;
        var status = await watcher.StatusAsync(cancellationToken);
        return new Snapshot(Stopwatch.GetTimestamp(), status.TangleSize, status.Received, published + status.Published);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return Percentile(sorted, 0.5);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
