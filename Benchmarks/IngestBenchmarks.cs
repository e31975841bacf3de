using System.Diagnostics;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Tests.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Benchmarks;

/// <summary>
/// What taking in other members' transactions costs a peer, in-process on embedded stores (no network): verifying one
/// (form, two signatures, credential), ingesting one (verify, fetch and decode its weights, pin, insert), and refusing
/// the ancestor-chain bomb of issue 10 (5,000 chained MLP transactions on one weights blob, announced by the newest).
/// </summary>
public static class IngestBenchmarks
{
    public static async Task RunAsync()
    {
        Console.WriteLine("== Ingestion (one thread, embedded stores on local disk) ==");
        foreach (var shape in new[] { ModelShape.LogisticRegression(784, 10), ModelShape.Mlp(784, 64, 10) })
        {
            using var rig = new Rig(shape);
            var (cid, bytes) = rig.Forge([rig.Tangle.Genesis], rig.PutWeights(1), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var verify = Measure.Time(() => rig.Victim.Guards.Verifier.Verify(cid, bytes), samples: 51, batch: 20);

            // One per training interval, as an honest member publishes (all fresh: live paths defer what is over a minute old).
            const int count = 150;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var parent = rig.Tangle.Genesis;
            var offered = new List<(Cid Cid, byte[] Bytes)>();
            for (var i = 0; i < count; i++)
            {
                var next = rig.Forge([parent], rig.PutWeights(100 + i), now - (count - i) * (long)TestPeer.TrainingInterval.TotalMilliseconds);
                offered.Add(next);
                parent = next.Cid;
            }
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (var (next, nextBytes) in offered)
            {
                // As catch-up brings them (a live sender is held to the network's rate, which a bench loop exceeds).
                var outcome = await rig.Victim.IngestAsync(next, nextBytes, AnnouncementPath.CatchUp);
                if (outcome.Status != IngestStatus.Inserted)
                    throw new InvalidOperationException($"A bench transaction was not inserted: {outcome}");
            }
            var wall = clock.Elapsed.TotalMilliseconds / count;
            var cpuPer = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
            Console.WriteLine($"{Describe(shape),-16} | verify {verify} | ingest (verify, fetch, decode, pin, insert) {wall:F2} ms wall, {cpuPer:F2} ms CPU per transaction");
        }

        using (var rig = new Rig(ModelShape.Mlp(784, 64, 10)))
        {
            var weights = rig.PutWeights(7);
            var parent = rig.Tangle.Genesis;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var i = 0; i < 5000; i++)
                parent = rig.Forge([parent], weights, now).Cid;
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var outcome = await rig.Victim.IngestAsync(parent);
            var elapsed = clock.Elapsed;
            var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0;
            var retainedMb = (GC.GetTotalMemory(forceFullCollection: true) - before) / 1048576.0;
            Console.WriteLine($"ancestor-chain bomb (5,000 × MLP on one blob): {outcome.Status} {outcome.Reason?.Label()} after {elapsed.TotalMilliseconds:F0} ms; " +
                $"{allocatedMb:F1} MB allocated, {retainedMb:F1} MB retained, replica {rig.Victim.Replica.Snapshot.Size} transaction(s)");
        }
        await StoreChurnBenchmarks.RunAsync();
        Console.WriteLine();
    }

    private static string Describe(ModelShape shape) => shape.Description;

    /// <summary>A member publishing into its store, and a victim peer (the tests' in-process engine) fetching from it, in a temporary folder.</summary>
    private sealed class Rig : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-ingest-bench-").FullName;

        public Rig(ModelShape shape)
        {
            Tangle = new TestTangle(shape);
            Publisher = new TestPeer(Tangle, Path.Combine(_root, "publisher"), TimeProvider.System);
            Victim = new TestPeer(Tangle, Path.Combine(_root, "victim"), TimeProvider.System, Publisher.Store);
        }

        public TestTangle Tangle { get; }

        public TestPeer Publisher { get; }

        public TestPeer Victim { get; }

        public Cid PutWeights(int seed) =>
            Publisher.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(Tangle.Shape).Initialize(new Random(seed))), default).GetAwaiter().GetResult();

        public (Cid Cid, byte[] Bytes) Forge(IReadOnlyList<Cid> parents, Cid weights, long createdAt)
        {
            var document = TransactionDocument.CreateSigned(Tangle.Genesis, parents, weights, createdAt, new TransactionMetrics(0.3, 0.9, 600), Publisher.Key, Tangle.Credential(Publisher.Key));
            var bytes = TransactionCodec.Encode(document);
            return (Publisher.Store.PutAsync(ContentCodec.DagJson, bytes, default).GetAwaiter().GetResult(), bytes);
        }

        public void Dispose()
        {
            Victim.Dispose();
            Publisher.Dispose();
            Tangle.Dispose();
            Directory.Delete(_root, recursive: true);
        }
    }
}
