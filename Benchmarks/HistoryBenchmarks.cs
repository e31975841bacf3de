using System.Diagnostics;
using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Benchmarks;

/// <summary>
/// What a replica's history costs in memory: signed MLP transactions of 24 members (each approving two of the newest
/// twenty) inserted as a peer inserts them, with retention releasing weights past the default horizon, and the managed
/// heap compared after 2,000 and after 12,000 transactions. Everything a peer keeps per transaction in its replica
/// counts (record, graph, ledger, index); the decoded weights do not grow with history (one instance is shared here).
/// </summary>
public static class HistoryBenchmarks
{
    private const int Members = 24;
    private const int WarmCount = 2_000;
    private const int Count = 12_000;

    public static void Run()
    {
        Console.WriteLine("== History in memory (one replica, MLP transactions of 24 members) ==");
        using var tangle = new TestTangle(ModelShape.Mlp(784, 64, 10));
        var members = Enumerable.Range(0, Members).Select(_ => PeerKey.Create()).ToArray();
        var credentials = members.Select(m => tangle.Credential(m)).ToArray();
        var weights = WeightCodec.Decode(tangle.GenesisWeights);
        var newest = new List<Cid> { tangle.Genesis };
        var random = new Random(7);
        var replica = new Replica();
        replica.Initialize(new VerifiedTransaction(tangle.Genesis, tangle.GenesisBytes, tangle.GenesisDocument, weights),
            new TangleRules(tangle.Shape, MaxParents: 8, TimeSpan.FromSeconds(5)));
        long warm = 0;
        var inserting = new Stopwatch();
        long documentBytes = 0;
        for (var i = 0; i < Count; i++)
        {
            // Made one at a time, so that the heap holds only what the replica keeps of them.
            var window = newest.Count > 20 ? newest.GetRange(newest.Count - 20, 20) : newest;
            var parents = window.OrderBy(_ => random.Next()).Take(2).Distinct().ToList();
            var member = i % Members;
            var document = TransactionDocument.CreateSigned(tangle.Genesis, parents, Cid.Compute(ContentCodec.Raw, BitConverter.GetBytes(i)),
                TestTangle.GenesisTime + 1000L * i, new TransactionMetrics(0.3, 0.9, 600), members[member], credentials[member]);
            var bytes = TransactionCodec.Encode(document);
            documentBytes += bytes.Length;
            // Parsed back from the bytes, as ingestion does: no strings shared with the ones signed.
            var item = new VerifiedTransaction(Cid.Compute(ContentCodec.DagJson, bytes), bytes, TransactionCodec.Decode(bytes), weights);
            newest.Add(item.Cid);
            if (newest.Count > 40) newest.RemoveRange(0, 20);
            inserting.Start();
            if (replica.Insert(item).Refused)
                throw new InvalidOperationException($"Bench transaction {i} was refused.");
            if (i % 60 == 0)
                replica.ReleaseWeights(2_000); // the default horizon, about every retention pass
            inserting.Stop();
            if (i == WarmCount - 1)
                warm = Heap();
        }
        var grown = Heap() - warm;
        GC.KeepAlive(replica);
        var insertMs = inserting.Elapsed.TotalMilliseconds / Count;
        Console.WriteLine($"{Count - WarmCount:N0} more transactions: heap +{grown / 1048576.0:F1} MB, {grown / (double)(Count - WarmCount):N0} bytes per transaction " +
            $"(a signed document is {documentBytes / Count:N0} bytes); insert {insertMs:F3} ms each, retention included");
        Console.WriteLine();
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
