using System.Diagnostics;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Tests.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;
using MlAspire.Tests.Shared;

namespace MlAspire.Benchmarks;

/// <summary>
/// A peer's training step beyond its local epoch (issue 13's target: at most 10 ms of CPU): the walks that rate
/// approvers on local data, the reference model, averaging the parents, evaluating, and publishing (encode, store,
/// sign, insert). The peer's replica holds 400 transactions of 16 members, who approve recent tips as a network does;
/// its data is 600 MNIST training and 100 test samples, about one data slot.
/// </summary>
public static class StepBenchmarks
{
    private const int Members = 16;
    private const int Rounds = 25;
    private const int Steps = 60;

    public static async Task RunAsync()
    {
        Console.WriteLine("== Training step beyond the local epoch (one thread, embedded store on local disk) ==");
        var mnist = LearningBenchmarks.LoadMnist();
        var local = new LocalData(mnist.Slice(0, 600), mnist.Slice(600, 100));
        foreach (var shape in new[] { ModelShape.LogisticRegression(784, 10), ModelShape.Mlp(784, 64, 10) })
        {
            var root = Directory.CreateTempSubdirectory("mlaspire-step-bench-").FullName;
            try
            {
                using var tangle = new TestTangle(shape);
                using var members = new TestPeer(tangle, Path.Combine(root, "members"), TimeProvider.System);
                // Every model stays in memory: the bench does not judge arrivals as a peer's loop does, so a walk reaching an
                // old lazy tip whose weights left memory would find it unrated and, at worst, nothing to average.
                using var peer = new TestPeer(tangle, Path.Combine(root, "peer"), TimeProvider.System, members.Store, weightsInMemory: 1000);
                await FillAsync(tangle, members, peer);
                var learning = new LearningParameters();
                var random = new Random(3);

                var epochs = new List<double>();
                var start = WeightCodec.Decode(tangle.GenesisWeights);
                for (var i = 0; i < Steps; i++)
                {
                    var values = start.ToArray();
                    var model = Models.Create(shape);
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    model.Train(values, local.Train, learning.Sgd, random);
                    epochs.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
                }
                var steps = new List<double>();
                var published = 0;
                for (var i = 0; i < Steps; i++)
                {
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var (_, record) = await peer.Publisher.TrainAsync(local, learning, random, default);
                    steps.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
                    published += record is null ? 0 : 1;
                }
                var (epoch, step) = (epochs.Average(), steps.Average());
                Console.WriteLine($"{shape.Description,-45} | replica {peer.Replica.Snapshot.Size} | step {step:F1} ms CPU (median {Median(steps):F1}), "
                    + $"local epoch alone {epoch:F1} ms (median {Median(epochs):F1}) | beyond the epoch {step - epoch:F1} ms | {published} of {Steps} published");
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
        Console.WriteLine();
    }

    /// <summary>Rounds in which each of 16 members publishes a model approving two of the newest tips, taken in by the peer as catch-up brings them.</summary>
    private static async Task FillAsync(TestTangle tangle, TestPeer members, TestPeer peer)
    {
        var keys = Enumerable.Range(0, Members).Select(_ => PeerKey.Create()).ToList();
        var random = new Random(5);
        var tips = new List<Cid> { tangle.Genesis };
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                var next = new List<Cid>();
                for (var m = 0; m < Members; m++)
                {
                    var weights = await members.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(tangle.Shape).Initialize(new Random(round * Members + m))), default);
                    var parents = tips.OrderBy(_ => random.Next()).Take(2).ToList();
                    // A second apart per round, ending now: young enough that catch-up fetches every model's weights.
                    var createdAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (Rounds - round) * 1_000L;
                    var document = TransactionDocument.CreateSigned(tangle.Genesis, parents, weights, createdAt, new TransactionMetrics(0.3, 0.9, 600), keys[m], tangle.Credential(keys[m]));
                    var bytes = TransactionCodec.Encode(document);
                    var cid = await members.Store.PutAsync(ContentCodec.DagJson, bytes, default);
                    if ((await peer.IngestAsync(cid, bytes, AnnouncementPath.CatchUp)).Status != IngestStatus.Inserted)
                        throw new InvalidOperationException("A bench transaction was not inserted.");
                    next.Add(cid);
                }
                tips = next;
            }
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
