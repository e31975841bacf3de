using System.Diagnostics;
using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;

namespace MlAspire.Benchmarks;

/// <summary>
/// The embedded store at its retention horizon, as a peer's is after its first minutes: 500 weights blocks (200 KB)
/// held, then each new block stored pinned and the oldest unpinned, garbage collected every 50 blocks (a peer collects
/// every 30 s, 50 to 300 blocks). CPU per block, its collections included. In the system's temporary folder, where
/// the soak's peers keep their stores: what this costs depends on the file system (docs/benchmarks.md, spare files).
/// </summary>
public static class StoreChurnBenchmarks
{
    private const int BlockBytes = 200 * 1024;
    private const int Held = 500;
    private const int Churned = 1500;
    private const int CollectEvery = 50;

    public static async Task RunAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mlaspire-churn-bench-").FullName;
        try
        {
            using var store = new EmbeddedContentStore(directory);
            var random = new Random(13);
            var held = new Queue<Cid>();
            async Task PutAsync()
            {
                var block = new byte[BlockBytes];
                random.NextBytes(block);
                held.Enqueue(await store.PutAsync(ContentCodec.Raw, block, default));
            }
            for (var i = 0; i < Held; i++)
                await PutAsync();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 1; i <= Churned; i++)
            {
                await PutAsync();
                await store.UnpinAsync(held.Dequeue(), default);
                if (i % CollectEvery == 0)
                    await store.CollectGarbageAsync(default);
            }
            var perBlock = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Churned;
            var usage = await store.UsageAsync(default);
            Console.WriteLine($"store churn at the horizon ({Held} blocks of 200 KB held, {Churned} stored and as many collected, every {CollectEvery}) | " +
                $"{perBlock:F0} µs CPU per block | {usage.Blocks} blocks, {usage.Bytes / 1e6:F1} MB on disk");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
