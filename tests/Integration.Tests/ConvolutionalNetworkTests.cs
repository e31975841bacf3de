using System.Buffers.Binary;
using System.Text;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests;

/// <summary>
/// The small CNN on two real peers: its float32 weights (1.8 MB) would not fit the 1 MiB block a transaction's weights
/// are, so the Bootstrap sets float16 (0.9 MB), and each peer trains the network and takes the other's transactions.
/// </summary>
public sealed class ConvolutionalNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Two_peers_learn_a_small_cnn_on_float16_weights_that_fit_one_block()
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
            // Every weights block the peer holds, its own and the other's, is the small CNN in float16 and one block.
            var weights = Directory.EnumerateFiles(Path.Combine(peer.DataDirectory, "store", "blocks"))
                .Select(File.ReadAllBytes).Where(block => block.AsSpan().StartsWith("MLAW"u8)).ToList();
            Assert.True(weights.Count >= 4, $"{peer.Name} holds {weights.Count} weights blocks.");
            Assert.All(weights, block =>
            {
                Assert.InRange(block.Length, 900_000, 1 << 20);
                Assert.Equal(WeightPrecision.Float16, WeightCodec.PrecisionOf(block));
                Assert.Equal(454_922, WeightCodec.Decode(block).Shape.ParameterCount);
                Assert.Contains("conv2d:5x5x64", Encoding.ASCII.GetString(block, 46, BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(8))));
            });
        }
    }
}
