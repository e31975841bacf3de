using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;

namespace MlAspire.Storage.Tests.Embedded;

public sealed class EmbeddedContentStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlaspire-store-").FullName;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10); // generous: only a missing block should ever time out, and it fails at once

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Neighbour(EmbeddedContentStore store) : IBlockSource
    {
        public int Requests { get; private set; }

        public async Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken)
        {
            Requests++;
            return await store.HasAsync(cid, cancellationToken) ? VerifiedBlock.TryCreate(cid, await store.GetAsync(cid, Timeout, cancellationToken)) : null;
        }
    }

    [Fact]
    public async Task Put_get_pin_and_garbage_collection()
    {
        var store = new EmbeddedContentStore(_directory);
        var kept = await store.PutAsync(ContentCodec.Raw, new byte[1000], default);
        var dropped = await store.PutAsync(ContentCodec.Raw, new byte[500], default);
        Assert.Equal(kept, Cid.Compute(ContentCodec.Raw, new byte[1000]));
        Assert.Equal(new StoreUsage(1500, 2, 1500, 2), await store.UsageAsync(default));

        await store.UnpinAsync(dropped, default);
        await store.UnpinAsync(dropped, default); // not pinned any more: no error
        var after = await store.CollectGarbageAsync(default);

        Assert.Equal(new StoreUsage(1000, 1, 1000, 1), after);
        Assert.Equal(new byte[1000], await store.GetAsync(kept, Timeout, default));
        await Assert.ThrowsAsync<TimeoutException>(() => store.GetAsync(dropped, Timeout, default));
        Assert.Equal([kept], await store.PinsAsync(default));
    }

    [Fact]
    public async Task A_block_fetched_from_a_neighbour_survives_garbage_collection_until_it_is_pinned_and_released()
    {
        var neighbour = new EmbeddedContentStore(Path.Combine(_directory, "neighbour"));
        var cid = await neighbour.PutAsync(ContentCodec.Raw, new byte[700], default);
        var store = new EmbeddedContentStore(Path.Combine(_directory, "local"), new Neighbour(neighbour));

        await store.GetAsync(cid, Timeout, default);
        await store.CollectGarbageAsync(default); // between the fetch and the caller's pin
        Assert.True(await store.HasAsync(cid, default));

        await store.PinAsync(cid, default);
        await store.UnpinAsync(cid, default);
        Assert.Equal(new StoreUsage(0, 0, 0, 0), await store.CollectGarbageAsync(default));
    }

    [Fact]
    public async Task A_block_fetched_pinned_is_pinned_before_it_lands_and_a_failed_fetch_leaves_its_pin_to_the_caller()
    {
        var neighbour = new EmbeddedContentStore(Path.Combine(_directory, "neighbour"));
        var cid = await neighbour.PutAsync(ContentCodec.Raw, new byte[700], default);
        var gate = new GatedSource(neighbour);
        var store = new EmbeddedContentStore(Path.Combine(_directory, "local"), gate);

        var fetching = store.FetchPinnedAsync(cid, Timeout, default);
        await gate.Asked.Task;
        Assert.Contains(cid, await store.PinsAsync(default)); // pinned while still in flight
        gate.Release.SetResult();
        Assert.Equal(new byte[700], await fetching);
        await store.CollectGarbageAsync(default);
        Assert.True(await store.HasAsync(cid, default));
        Assert.Contains(cid, await store.PinsAsync(default));

        var missing = Cid.Compute(ContentCodec.Raw, "nobody has it"u8);
        await Assert.ThrowsAsync<TimeoutException>(() => store.FetchPinnedAsync(missing, Timeout, default));
        // Another fetch of the block may still need the pin: only the caller knows (Peer's PinClaims), so it unpins.
        Assert.Contains(missing, await store.PinsAsync(default));
        await store.UnpinAsync(missing, default);
        Assert.DoesNotContain(missing, await store.PinsAsync(default));
    }

    /// <summary>A neighbour that answers only when told to, to look at the store mid-fetch.</summary>
    private sealed class GatedSource(EmbeddedContentStore store) : IBlockSource
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken)
        {
            if (!await store.HasAsync(cid, cancellationToken)) return null;
            Asked.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return VerifiedBlock.TryCreate(cid, await store.GetAsync(cid, Timeout, cancellationToken));
        }
    }

    [Fact]
    public async Task Blocks_and_pins_survive_a_restart_and_corruption_is_detected()
    {
        var store = new EmbeddedContentStore(_directory);
        var cid = await store.PutAsync(ContentCodec.DagJson, "{\"a\":1}"u8.ToArray(), default);
        var corrupt = await store.PutAsync(ContentCodec.Raw, new byte[] { 1, 2, 3 }, default);
        File.WriteAllBytes(Path.Combine(_directory, "blocks", corrupt.ToString()), [9, 9, 9]);
        File.WriteAllBytes(Path.Combine(_directory, "blocks", ".leftover.tmp"), [1]);

        var reopened = new EmbeddedContentStore(_directory);

        Assert.Equal("{\"a\":1}"u8.ToArray(), await reopened.GetAsync(cid, Timeout, default));
        Assert.Contains(cid, await reopened.PinsAsync(default));
        await Assert.ThrowsAsync<TimeoutException>(() => reopened.GetAsync(corrupt, Timeout, default));
        Assert.False(File.Exists(Path.Combine(_directory, "blocks", ".leftover.tmp")));
    }

    [Fact]
    public async Task A_block_is_lent_for_serving_verified_and_never_fetched_and_a_corrupt_one_is_not_lent()
    {
        var neighbours = new Counting();
        var writer = new EmbeddedContentStore(_directory);
        var weights = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();
        var cid = await writer.PutAsync(ContentCodec.Raw, weights, default);
        var corrupt = await writer.PutAsync(ContentCodec.Raw, new byte[] { 1, 2, 3 }, default);
        File.WriteAllBytes(Path.Combine(_directory, "blocks", corrupt.ToString()), [9, 9, 9]);
        // Damage shows at the first read after the store opens (a crash, a bad disk): a block this process wrote or has
        // read whole is not hashed again each time it is served.
        var store = new EmbeddedContentStore(_directory, neighbours);
        IContentStore contentStore = store;

        using (var lease = await contentStore.LendLocalAsync(cid, default))
            Assert.Equal(weights, lease!.Memory.ToArray());
        using (var again = await contentStore.LendLocalAsync(cid, default)) // the buffer went back to the pool and is lent again, refilled
            Assert.Equal(weights, again!.Memory.ToArray());
        Assert.Null(await contentStore.LendLocalAsync(corrupt, default));
        Assert.False(await store.HasAsync(corrupt, default)); // deleted, to be fetched again
        Assert.Null(await contentStore.LendLocalAsync(Cid.Compute(ContentCodec.Raw, [4, 5, 6]), default)); // not held
        Assert.Equal(0, neighbours.Asked); // serving never fetches
    }

    private sealed class Counting : IBlockSource
    {
        public int Asked;

        public Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Asked);
            return Task.FromResult<VerifiedBlock?>(null);
        }
    }

    [Fact]
    public async Task Missing_blocks_are_fetched_from_a_neighbour_and_verified()
    {
        var neighbourStore = new EmbeddedContentStore(Path.Combine(_directory, "b"));
        var cid = await neighbourStore.PutAsync(ContentCodec.Raw, new byte[] { 4, 5, 6 }, default);
        var neighbour = new Neighbour(neighbourStore);
        var store = new EmbeddedContentStore(Path.Combine(_directory, "a"), neighbour);

        Assert.Equal(new byte[] { 4, 5, 6 }, await store.GetAsync(cid, Timeout, default));
        Assert.True(await store.HasAsync(cid, default));
        Assert.Equal(new byte[] { 4, 5, 6 }, await store.GetAsync(cid, Timeout, default));
        Assert.Equal(1, neighbour.Requests);
        await Assert.ThrowsAsync<TimeoutException>(() => store.GetAsync(Cid.Compute(ContentCodec.Raw, [7]), Timeout, default));
    }

    /// <summary>Answers every ask with a real block, of other bytes than the one asked for.</summary>
    private sealed class Liar : IBlockSource
    {
        public Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken) =>
            Task.FromResult(VerifiedBlock.TryCreate(Cid.Compute(ContentCodec.Raw, [6, 6, 6]), [6, 6, 6]));
    }

    [Fact]
    public async Task A_neighbour_sending_wrong_bytes_is_not_believed()
    {
        var store = new EmbeddedContentStore(_directory, new Liar());
        var cid = Cid.Compute(ContentCodec.Raw, [1]);
        await Assert.ThrowsAsync<TimeoutException>(() => store.GetAsync(cid, Timeout, default));
        Assert.False(await store.HasAsync(cid, default));
    }
}
