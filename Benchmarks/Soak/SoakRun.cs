using System.Diagnostics;
using Grpc.Core;
using MlAspire.Integration.Tests;

namespace MlAspire.Benchmarks.Soak;

/// <summary>
/// Runs the real topology (Bootstrap, N peers, the Visualization; in js-ipfs mode one node per peer) at the network's
/// defaults except the training interval, samples every peer every 10 s into soak.csv, and ends with
/// <see cref="SoakReport"/>'s charts and verdict. Returns 0 when the verdict is "stable", 1 when not.
/// </summary>
public static class SoakRun
{
    public static async Task<int> RunAsync(SoakOptions options, CancellationToken cancellationToken)
    {
        if (options.Storage == StorageMode.Ipfs && !File.Exists(Path.Combine(Repository.Root, "tools", "ipfs", "node_modules", ".bin", "jsipfs")))
            throw new InvalidOperationException("js-ipfs is not installed: run `bash tools/ipfs/setup.sh` first.");
        if (options.NativePeers)
            ServiceProcess.NativeProgram("Peer"); // missing or stale: say so before starting anything
        Directory.CreateDirectory(options.Output);
        Console.WriteLine($"== Soak: {options.Topology}, a step every {options.Interval.TotalSeconds:0.##} s, " +
            $"{options.Minutes:0.##} min (warm-up {options.WarmupMinutes:0.##}) → {options.Output}");

        var starting = Stopwatch.StartNew();
        await using var cluster = await NetworkCluster.StartAsync(options.Storage, options.Peers, new Dictionary<string, string>
        {
            ["Bootstrap__Training__Interval"] = options.Interval.ToString(),
            // The network's own default, not the 1 s the short benchmarks use to join quickly.
            ["Bootstrap__HeartbeatInterval"] = "00:00:05",
        }, options.NativePeers, cancellationToken, options.Tls);
        cluster.StartService("visualization", "Visualization", new Dictionary<string, string>(cluster.TlsSettings())
        {
            ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Visualization__BootstrapAddress"] = cluster.BootstrapAddress,
            ["Visualization__JoinToken"] = cluster.JoinSecret,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        Console.WriteLine($"all {options.Peers} peers joined after {starting.Elapsed.TotalSeconds:F0} s");

        var samples = new List<SoakSample>();
        await using (var csv = new StreamWriter(Path.Combine(options.Output, "soak.csv")))
        {
            await csv.WriteLineAsync(SoakSample.CsvHeader);
            var clock = Stopwatch.StartNew();
            using var timer = new PeriodicTimer(SoakOptions.SampleEvery);
            do
            {
                var batch = await SampleAsync(cluster, clock.Elapsed.TotalSeconds, cancellationToken);
                samples.AddRange(batch);
                foreach (var sample in batch)
                    await csv.WriteLineAsync(sample.ToCsv());
                await csv.FlushAsync(cancellationToken);
                Console.WriteLine(SoakReport.Progress(batch));
            }
            while (clock.Elapsed.TotalMinutes < options.Minutes && await timer.WaitForNextTickAsync(cancellationToken));
        }
        var verdict = SoakReport.Write(options, samples);
        Console.WriteLine(verdict.Text);
        // Each process's last lines, for whoever has to find out why a run was not stable.
        await File.WriteAllTextAsync(Path.Combine(options.Output, "logs.txt"), cluster.Logs(), cancellationToken);
        if (options.Storage == StorageMode.Embedded)
        {
            var asks = await BlockAsksAsync(cluster);
            Console.WriteLine(asks);
            await File.AppendAllTextAsync(Path.Combine(options.Output, "verdict.txt"), asks + "\n", cancellationToken);
        }
        return verdict.Stable ? 0 : 1;
    }

    /// <summary>
    /// How many asks each block that arrived from a neighbour cost, summed over the peers' counters: hedging asks more
    /// than one neighbour, and every neighbour asked reads and sends the whole block.
    /// </summary>
    private static async Task<string> BlockAsksAsync(NetworkCluster cluster)
    {
        // All at once: a loaded peer takes seconds to render its metrics.
        var expositions = await Task.WhenAll(cluster.Peers.Select(async peer =>
        {
            try
            {
                return await Exposition.ReadAsync(peer.Name, peer.Metrics);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null; // a peer that does not answer is in the verdict already
            }
        }));
        var totals = MlAspire.Peer.Telemetry.PeerMetrics.AskOutcomes.ToDictionary(outcome => outcome,
            outcome => expositions.Sum(e => e?.Value("mlaspire_peer_block_asks_total", ("outcome", outcome)) ?? 0));
        var answered = totals.GetValueOrDefault("answered");
        return $"block asks: {totals.Values.Sum() / Math.Max(1, answered):F2} per block fetched ({string.Join(", ", totals.Select(t => $"{t.Key} {t.Value:0}"))})";
    }

    /// <summary>Every peer at once: its process from /proc, its replica from its status call (5 s deadline).</summary>
    private static async Task<List<SoakSample>> SampleAsync(NetworkCluster cluster, double seconds, CancellationToken cancellationToken)
    {
        int members;
        try
        {
            members = await cluster.MemberCountAsync(cancellationToken);
        }
        catch (RpcException)
        {
            members = -1;
        }
        var processes = ProcessTable.Read();
        var readings = cluster.Peers.Select(async (peer, i) =>
        {
            var node = cluster.Nodes.Count > i ? cluster.Nodes[i].ProcessId : null;
            var (rss, pss, cpu) = (processes.ResidentMegabytes(peer.Process.ProcessId), processes.ProportionalMegabytes(peer.Process.ProcessId), processes.CpuSeconds(peer.Process.ProcessId));
            var (nodeRss, nodeCpu) = node is { } pid ? (processes.ResidentMegabytes(pid), processes.CpuSeconds(pid)) : (double.NaN, double.NaN);
            try
            {
                var status = await peer.Sync.GetStatusAsync(new MlAspire.Peer.Grpc.GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                return new SoakSample(seconds, peer.Name, !peer.Process.HasExited, true, rss, pss, cpu, nodeRss, nodeCpu,
                    status.StoreBytes, status.TangleSize, status.Published, status.Received, status.ReferenceAccuracy, members);
            }
            catch (RpcException) when (!cancellationToken.IsCancellationRequested)
            {
                return new SoakSample(seconds, peer.Name, !peer.Process.HasExited, false, rss, pss, cpu, nodeRss, nodeCpu, -1, -1, -1, -1, double.NaN, members);
            }
        });
        return [.. await Task.WhenAll(readings)];
    }
}
