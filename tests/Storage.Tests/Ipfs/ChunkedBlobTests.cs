using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>Chunked blobs are IPFS files: real js-ipfs nodes build the same root, and read ours back with cat.</summary>
[Collection(IpfsNodesCollection.Name)]
public sealed class ChunkedBlobTests(IpfsNodesFixture nodes)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static byte[] Blob(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(256 << 10)]          // one chunk: a raw block
    [InlineData(1 << 20)]            // four chunks
    [InlineData((5 << 18) / 2)]      // three chunks, the last half full
    [InlineData(26_000_000)]         // the LEAF network's float32 weights: 100 chunks
    public async Task Ipfs_add_with_its_default_chunker_and_raw_leaves_gives_the_root_this_system_builds(int length)
    {
        var blob = Blob(length, length);
        var added = await nodes.A.Client.AddAsync(blob, pin: false, default);
        Assert.Equal(UnixFsFile.Build(blob)[0].Cid.ToString(), added);
    }

    [Fact]
    public async Task Blocks_this_system_stores_are_a_file_another_node_cats()
    {
        var blob = Blob(3 * UnixFsFile.ChunkSize + 123, 99);
        var blocks = UnixFsFile.Build(blob);
        foreach (var leaf in blocks.Skip(1))
            Assert.Equal(leaf.Cid.ToString(), await nodes.A.Client.BlockPutAsync(leaf.Bytes, pin: true, default));
        Assert.Equal(blocks[0].Cid.ToString(), await nodes.A.Client.BlockPutAsync(blocks[0].Bytes, pin: true, default, format: "dag-pb"));

        Assert.Equal(blob, await nodes.B.Client.CatAsync(blocks[0].Cid.ToString(), Timeout, default));
    }

    [Fact]
    public async Task A_file_put_in_one_node_is_fetched_pinned_by_another_and_unpinned_whole()
    {
        var a = new KuboContentStore(nodes.A.Client);
        var b = new KuboContentStore(nodes.B.Client);
        var blob = Blob(2 * UnixFsFile.ChunkSize + 4321, 7);
        var root = await a.PutFileAsync(blob, default);
        Assert.Equal(UnixFsFile.Build(blob)[0].Cid, root);

        Assert.Equal(blob, await b.FetchPinnedFileAsync(root, blob.Length, Timeout, default));
        var blocks = UnixFsFile.Build(blob).Select(block => block.Cid).ToList();
        Assert.Subset((await b.PinsAsync(default)).ToHashSet(), blocks.ToHashSet());

        await b.UnpinFileAsync(root, default);
        Assert.Empty((await b.PinsAsync(default)).Intersect(blocks));
    }
}
