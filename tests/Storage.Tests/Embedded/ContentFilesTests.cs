using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;

namespace MlAspire.Storage.Tests.Embedded;

/// <summary>A file of chunks crosses from one embedded store to another block by block, each verified and pinned.</summary>
public sealed class ContentFilesTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("mlaspire-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Neighbour(IContentStore store) : IBlockSource
    {
        public List<Cid> Asked { get; } = [];

        public async Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken)
        {
            Asked.Add(cid);
            return await store.HasAsync(cid, cancellationToken) ? VerifiedBlock.TryCreate(cid, await store.GetAsync(cid, Timeout, cancellationToken)) : null;
        }
    }

    private static byte[] Blob(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task A_file_is_fetched_chunk_by_chunk_pinned_whole_and_unpinned_whole()
    {
        var source = new EmbeddedContentStore(Path.Combine(_directory, "a"));
        var blob = Blob(3 * UnixFsFile.ChunkSize + 77);
        var root = await source.PutFileAsync(blob, default);
        var neighbour = new Neighbour(source);
        var store = new EmbeddedContentStore(Path.Combine(_directory, "b"), neighbour);

        Assert.Equal(blob, await store.FetchPinnedFileAsync(root, blob.Length, Timeout, default));
        Assert.Equal(5, neighbour.Asked.Count); // the root, then four chunks
        Assert.Equal(5, (await store.PinsAsync(default)).Count);

        await store.UnpinFileAsync(root, default);
        Assert.Empty(await store.PinsAsync(default));
        Assert.Equal(new StoreUsage(0, 0, 0, 0), await store.CollectGarbageAsync(default));
    }

    [Fact]
    public async Task Reading_a_file_from_any_source_checks_every_block_against_its_cid()
    {
        var content = Blob(2 * UnixFsFile.ChunkSize + 7);
        var blocks = UnixFsFile.Build(content).ToDictionary(b => b.Cid, b => b.Bytes.ToArray());
        var root = blocks.Keys.First(cid => cid.Codec == ContentCodec.DagPb);
        Assert.Equal(content, await ContentFiles.ReadFileAsync(root, UnixFsFile.MaxBytes, (cid, _) => Task.FromResult(blocks[cid]), default));

        // A source that serves other bytes for one chunk (a Bootstrap or neighbour gone wrong) fails the read, naming it.
        var chunk = blocks.Keys.First(cid => cid.Codec == ContentCodec.Raw);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ContentFiles.ReadFileAsync(root, UnixFsFile.MaxBytes,
            (cid, _) => Task.FromResult(cid.Equals(chunk) ? Blob(UnixFsFile.ChunkSize) : blocks[cid]), default));
        Assert.Contains(chunk.ToString(), error.Message);
    }

    [Fact]
    public async Task A_file_larger_than_allowed_is_refused_from_its_root_before_any_chunk_is_asked_for()
    {
        var source = new EmbeddedContentStore(Path.Combine(_directory, "a"));
        var root = await source.PutFileAsync(Blob(2 * UnixFsFile.ChunkSize + 1), default);
        var neighbour = new Neighbour(source);
        var store = new EmbeddedContentStore(Path.Combine(_directory, "b"), neighbour);

        await Assert.ThrowsAsync<InvalidDataException>(() => store.FetchPinnedFileAsync(root, 2 * UnixFsFile.ChunkSize, Timeout, default));

        Assert.Equal([root], neighbour.Asked);
        Assert.Equal([root], await store.PinsAsync(default)); // the root it pinned to read, left to the caller
        await store.UnpinFileAsync(root, default); // a refused root: no chunk to unpin, and no error
        Assert.Empty(await store.PinsAsync(default));
    }

    [Fact]
    public async Task A_missing_chunk_fails_the_fetch_and_unpinning_the_file_then_leaves_nothing_pinned()
    {
        var source = new EmbeddedContentStore(Path.Combine(_directory, "a"));
        var blob = Blob(2 * UnixFsFile.ChunkSize + 5);
        var root = await source.PutFileAsync(blob, default);
        var last = UnixFsFile.Build(blob)[^1].Cid;
        await source.UnpinAsync(last, default);
        await source.CollectGarbageAsync(default);
        var store = new EmbeddedContentStore(Path.Combine(_directory, "b"), new Neighbour(source));

        await Assert.ThrowsAsync<TimeoutException>(() => store.FetchPinnedFileAsync(root, blob.Length, TimeSpan.FromMilliseconds(300), default));

        Assert.Equal(UnixFsFile.Build(blob).Count, (await store.PinsAsync(default)).Count); // the root, the chunks that came, the one that did not
        await store.UnpinFileAsync(root, default);
        Assert.Empty(await store.PinsAsync(default));
    }

    [Fact]
    public async Task A_raw_block_larger_than_1_MiB_is_not_a_file_and_unpinning_it_leaves_nothing_pinned()
    {
        var source = new EmbeddedContentStore(Path.Combine(_directory, "a"));
        var big = await source.PutAsync(ContentCodec.Raw, Blob(ContentFiles.MaxRawFileBytes + 1), default);
        var store = new EmbeddedContentStore(Path.Combine(_directory, "b"), new Neighbour(source));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => store.FetchPinnedFileAsync(big, 1 << 30, Timeout, default));

        Assert.Contains("larger files are chunked", refused.Message);
        await store.UnpinFileAsync(big, default);
        Assert.Empty(await store.PinsAsync(default));
    }

    [Fact]
    public async Task A_file_the_disk_cannot_hold_leaves_none_of_its_chunks_pinned()
    {
        using var disk = MlAspire.Integration.Tests.Tmpfs.Mount(1 << 20);
        using var store = new EmbeddedContentStore(Path.Combine(disk.Path, "store"));
        var kept = await store.PutAsync(ContentCodec.Raw, Blob(1000), default);

        // Eight chunks of 256 KiB: the first three or so fit, then the disk is full.
        await Assert.ThrowsAsync<StoreFullException>(() => store.PutFileAsync(Blob(8 * UnixFsFile.ChunkSize), default));

        Assert.Equal([kept], await store.PinsAsync(default));
        var usage = await store.CollectGarbageAsync(default); // and so they go with the next collection
        Assert.Equal(1, usage.Blocks);
        Assert.Empty(Directory.EnumerateFiles(disk.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
