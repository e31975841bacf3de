using System.Buffers.Binary;
using System.Text;
using MlAspire.Storage.Content;
using MlAspire.Tangle;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests;

/// <summary>
/// The small CNN on two real peers, its weights in float16 (0.9 MB) as the Bootstrap sets: each peer trains the network
/// and takes the other's transactions, whose weights are files of 256 KiB chunks under a dag-pb root.
/// </summary>
public sealed class ConvolutionalNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Two_peers_learn_a_small_cnn_on_float16_weights_in_chunks()
    {
        _cluster.StartBootstrap(new Dictionary<string, string>
        {
            ["Bootstrap__Model__Architecture"] = "small-cnn",
            ["Bootstrap__WeightPrecision"] = "Float16",
            ["Bootstrap__Data__Slots"] = "8", // 1,000 digits a peer: a step of about two seconds on a shared core
            ["Bootstrap__Training__Interval"] = "00:00:01",
        });
        var a = _cluster.StartPeer("cnn-a");
        var b = _cluster.StartPeer("cnn-b");

        await Eventually.TrueAsync(async () =>
        {
            var (idA, idB) = ((await a.StatusAsync()).PeerId, (await b.StatusAsync()).PeerId);
            return (await a.TransactionsAsync()).Count(t => t.Publisher == idB) >= 2
                && (await b.TransactionsAsync()).Count(t => t.Publisher == idA) >= 2;
        }, Patience, _cluster.Logs);

        foreach (var peer in new[] { a, b })
        {
            Assert.True((await peer.StatusAsync()).Rejected == 0, $"{peer.Name} rejected transactions:\n{_cluster.Logs()}");
            // Every weights file the peer holds, its own and the other's, is the small CNN in float16, in chunks of 256 KiB.
            var store = Path.Combine(peer.DataDirectory, "store", "blocks");
            var roots = Directory.EnumerateFiles(store).Where(f => Cid.Parse(Path.GetFileName(f)).Codec == ContentCodec.DagPb).ToList();
            Assert.True(roots.Count >= 4, $"{peer.Name} holds {roots.Count} weights files.");
            Assert.All(Directory.EnumerateFiles(store), block => Assert.InRange(new FileInfo(block).Length, 1, UnixFsFile.ChunkSize));
            Assert.All(roots, root =>
            {
                var chunks = UnixFsFile.ReadRoot(File.ReadAllBytes(root), TangleRules.MaxWeightsBytes);
                var weights = chunks.SelectMany(c => File.ReadAllBytes(Path.Combine(store, c.Cid.ToString()))).ToArray();
                Assert.InRange(weights.Length, 900_000, 1 << 20);
                Assert.Equal(WeightPrecision.Float16, WeightCodec.PrecisionOf(weights));
                Assert.Equal(454_922, WeightCodec.Decode(weights).Shape.ParameterCount);
                Assert.Contains("conv2d:5x5x64", Encoding.ASCII.GetString(weights, 46, BinaryPrimitives.ReadUInt16LittleEndian(weights.AsSpan(8))));
            });
        }
    }
}
