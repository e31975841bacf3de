using System.Diagnostics;
using MlAspire.Integration.Tests;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;
using MlAspire.Storage.Tests.Ipfs;

namespace MlAspire.Benchmarks;

/// <summary>
/// What a garbage collection costs a js-ipfs node, and what it holds up: a node pinning <c>pins</c> MLP-sized weights
/// blocks (200 KB, as a peer's store does up to its retention horizon) and a tenth of that as garbage; one collection
/// timed, and the peer's writes during it (a block put every 100 ms, as ingestion and publishing make them) timed too.
/// A js-ipfs 8-peer soak stalled on exactly this (docs/benchmarks.md).
/// </summary>
public static class CollectionBenchmarks
{
    private const int BlockBytes = 200 * 1024;

    public static async Task RunAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("== Garbage collection on a js-ipfs node (one node, 200 KB raw blocks) ==");
        var script = Path.Combine(Repository.Root, "tools", "ipfs", "start-node.sh");
        foreach (var pins in new[] { 200, 1000, 2000 })
        {
            await using var node = await JsIpfsNode.StartAsync(script, TimeSpan.FromSeconds(120));
            var store = new KuboContentStore(node.Client);
            var random = new Random(pins);
            var garbage = pins / 10;
            var kept = 0;
            for (var i = 0; i < pins + garbage; i++)
            {
                var block = new byte[BlockBytes];
                random.NextBytes(block);
                var cid = await store.PutAsync(ContentCodec.Raw, block, cancellationToken);
                if (i % 11 == 10)
                    await store.UnpinAsync(cid, cancellationToken);
                else
                    kept++;
            }

            using var writing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var writes = WriteDuringAsync(store, random, writing.Token);
            var clock = Stopwatch.StartNew();
            var usage = await store.CollectGarbageAsync(cancellationToken);
            var collection = clock.Elapsed;
            await writing.CancelAsync();
            var latencies = await writes;
            latencies.Sort();
            // The parts, once more each on the collected node: the node's collection alone, and reading its usage.
            clock.Restart();
            await node.Client.RepoGcAsync(cancellationToken);
            var gcAlone = clock.Elapsed;
            clock.Restart();
            await store.UsageAsync(cancellationToken);
            var usageAlone = clock.Elapsed;
            Console.WriteLine($"{kept,5} pinned, {pins + garbage - kept,4} garbage | collection and usage {collection.TotalSeconds:F1} s ({usage.Blocks:N0} blocks left); " +
                $"again: repo/gc {gcAlone.TotalSeconds:F1} s, usage {usageAlone.TotalSeconds:F1} s | {latencies.Count} puts meanwhile, slowest {Quantile(latencies, 1.0):F2} s, " +
                $"median {Quantile(latencies, 0.5):F2} s");
        }
        Console.WriteLine();
    }

    /// <summary>A pinned put every 100 ms until cancelled; the seconds each took (one still waiting at the end counts as it stands, one past the call deadline as that).</summary>
    private static async Task<List<double>> WriteDuringAsync(KuboContentStore store, Random random, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var block = new byte[1024];
            random.NextBytes(block);
            var clock = Stopwatch.StartNew();
            try
            {
                await store.PutAsync(ContentCodec.Raw, block, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            catch (TimeoutException)
            {
                // The client's 30 s call deadline: the put waited for the whole of it.
            }
            latencies.Add(clock.Elapsed.TotalSeconds);
            await Task.Delay(100, CancellationToken.None);
        }
        return latencies;
    }

    private static double Quantile(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))];
}
