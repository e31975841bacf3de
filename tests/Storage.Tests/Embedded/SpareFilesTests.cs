using System.Diagnostics;
using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;

namespace MlAspire.Storage.Tests.Embedded;

/// <summary>The embedded store overwrites collected blocks' files instead of deleting them and creating new ones (<see cref="SpareFiles"/>).</summary>
public sealed class SpareFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlaspire-spares-").FullName;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Weights(int seed) => [.. Enumerable.Range(0, 200_000).Select(i => (byte)(i * seed + seed))];

    private string BlockFile(Cid cid) => Path.Combine(_directory, "blocks", cid.ToString());

    private string[] Spares() => Directory.Exists(Path.Combine(_directory, "spare")) ? Directory.GetFiles(Path.Combine(_directory, "spare")) : [];

    [Fact]
    public async Task A_collected_blocks_file_becomes_the_next_blocks_file_across_a_restart_instead_of_a_new_file()
    {
        var store = new EmbeddedContentStore(_directory);
        await store.PutAsync(ContentCodec.Raw, new byte[1 << 20], default); // held, so the spares may hold a quarter of it
        var released = await store.PutAsync(ContentCodec.Raw, Weights(1), default);
        var inode = Inode(BlockFile(released));
        await store.UnpinAsync(released, default);

        var usage = await store.CollectGarbageAsync(default);

        Assert.False(File.Exists(BlockFile(released)));
        var spare = Assert.Single(Spares());
        Assert.Equal(inode, Inode(spare));
        Assert.Equal((1 << 20) + 200_000, usage.Bytes); // the spare is disk the store holds
        Assert.Equal(1, usage.Blocks);

        store.Dispose();
        store = new EmbeddedContentStore(_directory); // kept across a restart
        var next = await store.PutAsync(ContentCodec.Raw, Weights(3), default);

        Assert.Equal(inode, Inode(BlockFile(next)));
        Assert.Empty(Spares());
        Assert.Equal(Weights(3), await store.GetAsync(next, Timeout, default));
        Assert.Equal(2, (await store.UsageAsync(default)).Blocks);
        store.Dispose();
    }

    [Fact]
    public async Task A_smaller_block_cuts_the_spare_to_its_length_and_a_block_of_another_size_class_gets_a_new_file()
    {
        var store = new EmbeddedContentStore(_directory);
        await store.PutAsync(ContentCodec.Raw, new byte[1 << 20], default);
        var released = await store.PutAsync(ContentCodec.Raw, Weights(1), default);
        await store.UnpinAsync(released, default);
        await store.CollectGarbageAsync(default);

        var document = await store.PutAsync(ContentCodec.DagJson, "{\"a\":1}"u8.ToArray(), default); // another size class: not the spare
        Assert.Single(Spares());
        var shorter = Weights(5)[..150_000];
        var next = await store.PutAsync(ContentCodec.Raw, shorter, default);

        Assert.Empty(Spares());
        Assert.Equal(150_000, new FileInfo(BlockFile(next)).Length);
        Assert.Equal(shorter, await store.GetAsync(next, Timeout, default));
        Assert.Equal("{\"a\":1}"u8.ToArray(), await store.GetAsync(document, Timeout, default));
        store.Dispose();
    }

    [Fact]
    public async Task Spares_hold_at_most_a_quarter_of_the_blocks_bytes_and_the_rest_is_deleted()
    {
        var store = new EmbeddedContentStore(_directory);
        await store.PutAsync(ContentCodec.Raw, new byte[1 << 20], default);
        var released = new List<Cid>();
        for (var i = 1; i <= 10; i++)
            released.Add(await store.PutAsync(ContentCodec.Raw, Weights(i), default));
        foreach (var cid in released)
            await store.UnpinAsync(cid, default);

        var usage = await store.CollectGarbageAsync(default);

        // A quarter of the 1 MiB that stays holds one 200 KB file.
        var spare = Assert.Single(Spares());
        Assert.Equal(200_000, new FileInfo(spare).Length);
        Assert.Equal(262_144, SpareFiles.BytesAllowed(1 << 20));
        Assert.Equal((1 << 20) + 200_000, usage.Bytes);
        store.Dispose();
    }

    [Fact]
    public async Task A_spare_unused_through_a_whole_interval_between_collections_is_deleted_and_an_emptied_store_keeps_none()
    {
        var store = new EmbeddedContentStore(_directory);
        var big = await store.PutAsync(ContentCodec.Raw, new byte[1 << 20], default);
        var released = await store.PutAsync(ContentCodec.Raw, Weights(1), default);
        await store.UnpinAsync(released, default);
        await store.CollectGarbageAsync(default);
        Assert.Single(Spares());

        await store.CollectGarbageAsync(default); // the interval after the one that kept it: still kept
        Assert.Single(Spares());
        await store.CollectGarbageAsync(default); // unused through a whole interval: deleted
        Assert.Empty(Spares());

        var again = await store.PutAsync(ContentCodec.Raw, Weights(2), default);
        await store.UnpinAsync(again, default);
        await store.CollectGarbageAsync(default);
        Assert.Single(Spares());
        await store.UnpinAsync(big, default);

        Assert.Equal(new StoreUsage(0, 0, 0, 0), await store.CollectGarbageAsync(default)); // nothing stays: no spare either
        Assert.Empty(Spares());
        store.Dispose();
    }

    /// <summary>
    /// A reader that opened a block's file just before it was collected reads whatever the next block wrote into the
    /// recycled file; and a disk can change a file's bytes. A block this process verified is served from then on
    /// against its fingerprint, not its length alone: other bytes of the same length are never returned.
    /// </summary>
    [Fact]
    public async Task A_held_blocks_file_whose_bytes_change_underneath_is_never_served()
    {
        var store = new EmbeddedContentStore(_directory);
        var cid = await store.PutAsync(ContentCodec.Raw, Weights(1), default);
        Assert.Equal(Weights(1), await store.GetAsync(cid, Timeout, default));

        File.WriteAllBytes(BlockFile(cid), Weights(2)); // the same length, other bytes

        Assert.Null(await store.LendLocalAsync(cid, default));
        await Assert.ThrowsAsync<TimeoutException>(() => store.GetAsync(cid, Timeout, default)); // no neighbour: gone, not wrong
        Assert.False(await store.HasAsync(cid, default));
        Assert.False(File.Exists(BlockFile(cid)));
        store.Dispose();
    }

    private static string Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        return inode;
    }
}
