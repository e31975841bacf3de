using System.Buffers.Binary;
using System.Text;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests;

/// <summary>
/// The small CNN on two real peers, its weights in float16 (0.9 MB) as the Bootstrap sets: each peer trains the network
/// and takes the other's transactions, whose weights are files of 256 KiB chunks under a dag-pb root.
/// </summary>
[Collection(RunsAlone.Name)]
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
            // Held: the replica's. A file still arriving, or left by a fetch that gave up (its transaction entered without
            // weights) until the next collection, has its root in the folder without all its chunks.
            var store = Path.Combine(peer.DataDirectory, "store", "blocks");
            var roots = (await peer.TransactionsAsync()).Where(t => !t.WeightsReleased)
                .Select(t => TransactionCodec.Decode(t.Document.Span).Weights)
                .Where(weights => weights.Codec == ContentCodec.DagPb)
                .Select(weights => Path.Combine(store, weights.ToString())).ToList();
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

    /// <summary>
    /// The LEAF network (6.5 M parameters, 26 MB of float32 weights) on two real peers: every transaction's weights are
    /// a file of 100 chunks of 256 KiB under a dag-pb root, fetched block by block, verified and pinned, and retention
    /// keeps each store under its cap.
    /// </summary>
    [Fact]
    public async Task Two_embedded_peers_learn_the_leaf_cnn_on_chunked_weights_within_their_store_cap()
    {
        StartLeafTangle(WeightPrecision.Float32);
        var a = _cluster.StartPeer("leaf-a", settings: UnderCap(StoreCap));
        var b = _cluster.StartPeer("leaf-b", settings: UnderCap(StoreCap));

        await BothTakeTheOthersTransactionsAsync(a, b, 3);
        await StoresStayUnderTheCapAsync(a, b, StoreCap);

        foreach (var peer in new[] { a, b })
        {
            var status = await peer.StatusAsync();
            var store = Path.Combine(peer.DataDirectory, "store", "blocks");
            // The peers run on: retention may collect a file between listing and reading it, so what vanished is skipped.
            var blocks = Directory.EnumerateFiles(store).Select(path => new FileInfo(path)).ToList();
            var roots = blocks.Select(block => Cid.Parse(block.Name)).Where(cid => cid.Codec == ContentCodec.DagPb).ToList();
            Assert.InRange(roots.Count, 1, status.TangleSize - 1); // some weights released
            Assert.All(blocks.Where(block => block.Exists), block => Assert.InRange(block.Length, 1, UnixFsFile.ChunkSize));
            var read = 0;
            foreach (var root in roots)
            {
                byte[] bytes;
                IReadOnlyList<FileChunk> chunks;
                try
                {
                    chunks = UnixFsFile.ReadRoot(File.ReadAllBytes(Path.Combine(store, root.ToString())), TangleRules.MaxWeightsBytes);
                    bytes = chunks.SelectMany(c => File.ReadAllBytes(Path.Combine(store, c.Cid.ToString()))).ToArray();
                }
                catch (FileNotFoundException)
                {
                    continue;
                }
                // A file of 100 chunks, as the root lists them, whose bytes are the LEAF network's weights.
                Assert.Equal(100, chunks.Count);
                Assert.Equal(6_497_162, WeightCodec.Decode(bytes).Shape.ParameterCount);
                if (++read == 3) break;
            }
            Assert.True(read > 0, $"{peer.Name}: every weights file vanished while it was read.");
        }
    }

    /// <summary>
    /// The same on js-ipfs, its weights in float16 (13 MB, 50 chunks) under half the cap: the same 15 files' room, half the
    /// bytes through nodes that stall now and then under large files (below). In float32 this test took 4 minutes of a
    /// fresh-clone CI run on a slower machine, and missed its patience there once.
    /// </summary>
    [Fact]
    public async Task Two_peers_on_js_ipfs_learn_the_leaf_cnn_and_any_ipfs_tool_reads_its_weights()
    {
        var tools = Path.Combine(Repository.Root, "tools", "ipfs");
        if (!File.Exists(Path.Combine(tools, "node_modules", ".bin", "jsipfs")))
            Assert.Fail("js-ipfs is not installed: run `bash tools/ipfs/setup.sh` (tests/run.sh does).");
        var nodes = await Storage.Tests.Ipfs.JsIpfsNode.StartManyAsync(Path.Combine(tools, "start-node.sh"), 2, Patience);
        try
        {
            const long cap = StoreCap / 2;
            StartLeafTangle(WeightPrecision.Float16);
            var a = _cluster.StartPeer("leaf-ipfs-a", ipfsApi: nodes[0].ApiAddress.ToString(), settings: UnderCap(cap));
            var b = _cluster.StartPeer("leaf-ipfs-b", ipfsApi: nodes[1].ApiAddress.ToString(), settings: UnderCap(cap));

            await BothTakeTheOthersTransactionsAsync(a, b, 2);
            // js-ipfs stalls now and then under 26 MB weights (a block/put unanswered for 30 s, a fetch past its 60 s
            // budget), for minutes at times even with retention's collections paced: a fresh-clone CI run missed 20
            // transactions in 300 s. Sixteen (208 MB in float16) are still more than the cap, and the wait is longer.
            await StoresStayUnderTheCapAsync(a, b, cap, TimeSpan.FromSeconds(420), transactions: 16);

            // B's node holds A's weights as a file: cat, as any IPFS tool would, gives back the 13 MB blob.
            var idA = (await a.StatusAsync()).PeerId;
            // The newest B holds with its weights: B keeps each publisher's newest weights, and retention may have released
            // older ones; a transaction that came in by catch-up while A's node stalled may hold none (a fresh-clone CI
            // run timed out catting one, its blocks to be fetched from A).
            string? fromA = null;
            await Eventually.TrueAsync(async () =>
                (fromA = (await b.TransactionsAsync()).LastOrDefault(t => t.Publisher == idA && !t.WeightsReleased)?.Cid) is not null, Patience, _cluster.Logs);
            var document = MlAspire.Storage.Transactions.TransactionCodec.Decode(await nodes[1].Client.BlockGetAsync(fromA!, TimeSpan.FromSeconds(10), default));
            Assert.Equal(ContentCodec.DagPb, document.Weights.Codec);
            var blob = await nodes[1].Client.CatAsync(document.Weights.ToString(), TimeSpan.FromSeconds(60), default);
            Assert.Equal(WeightPrecision.Float16, WeightCodec.PrecisionOf(blob));
            Assert.Equal(6_497_162, WeightCodec.Decode(blob).Shape.ParameterCount);
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    private const long StoreCap = 400_000_000;

    /// <summary>
    /// A store cap of 400 MB, about 15 of the LEAF network's float32 weights files (its half, for float16), checked every
    /// 2 s; the retention horizons are the defaults (2,000 and at least 100 transactions), which the peer must fit to the
    /// cap itself (7 weights files). Fewer files would not do on js-ipfs: with a transaction every second or two, the
    /// publisher releases weights that its neighbour's bitswap is still fetching (200 MB of float32: 3 files, and fetches
    /// ran out of their 60 s).
    /// </summary>
    private static Dictionary<string, string> UnderCap(long cap) => new()
    {
        ["Peer__StorageCap"] = cap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Peer__RetentionInterval"] = "00:00:02",
    };

    /// <summary>Twenty transactions' weights are 20 files, more than the cap holds: retention has to release some to get under it.</summary>
    private async Task StoresStayUnderTheCapAsync(RunningPeer a, RunningPeer b, long cap, TimeSpan? patience = null, int transactions = 20)
    {
        await Eventually.TrueAsync(async () => (await a.StatusAsync()).TangleSize >= transactions && (await b.StatusAsync()).TangleSize >= transactions, patience ?? Patience, _cluster.Logs);
        await Eventually.TrueAsync(async () => (await a.StatusAsync()).StoreBytes <= cap && (await b.StatusAsync()).StoreBytes <= cap, patience ?? Patience, _cluster.Logs);
    }

    private void StartLeafTangle(WeightPrecision precision) => _cluster.StartBootstrap(new Dictionary<string, string>
    {
        ["Bootstrap__Model__Architecture"] = "leaf-cnn",
        ["Bootstrap__WeightPrecision"] = precision.ToString(),
        ["Bootstrap__Data__Slots"] = "16", // 500 digits a peer
        ["Bootstrap__Training__Interval"] = "00:00:01",
    });

    private async Task BothTakeTheOthersTransactionsAsync(RunningPeer a, RunningPeer b, int count)
    {
        await Eventually.TrueAsync(async () =>
        {
            var (idA, idB) = ((await a.StatusAsync()).PeerId, (await b.StatusAsync()).PeerId);
            return (await a.TransactionsAsync()).Count(t => t.Publisher == idB) >= count
                && (await b.TransactionsAsync()).Count(t => t.Publisher == idA) >= count;
        }, Patience, _cluster.Logs);
        // Nothing refused for what it is. Transient refusals are about the moment, not the transaction (the rate, the
        // budget, weights nobody supplied in time, a parent not yet in; none is remembered, and the transaction comes
        // again): js-ipfs stalls under 26 MB weights now and then (below); a fresh-clone CI run saw one fetch of 100
        // chunks go past 60 s, and later runs one chunk past its 10 s.
        var transient = Enum.GetValues<RejectionReason>().Where(r => r.IsTransient()).Select(r => r.Label()).ToHashSet();
        foreach (var peer in new[] { a, b })
        {
            var rejected = (await peer.StatusAsync()).RejectedByReason.Where(r => !transient.Contains(r.Key)).ToList();
            Assert.True(rejected.Count == 0, $"{peer.Name} rejected transactions: {string.Join(", ", rejected)}\n{_cluster.Logs()}");
        }
    }
}
