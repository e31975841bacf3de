using System.Collections.Concurrent;
using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>The counting behind shared pins (<see cref="PinClaims"/>); the ingestions that need it are in <see cref="SharedPinTests"/>.</summary>
public sealed class PinClaimsTests
{
    private readonly ConcurrentDictionary<Cid, bool> _pins = new();
    private readonly ConcurrentQueue<Cid> _unpinned = new();
    private readonly HashSet<Cid> _heldByReplica = [];

    private PinClaims Claims(Func<Cid, Task>? unpin = null) =>
        new((owner, _) => _heldByReplica.Contains(owner), (block, _) => Task.FromResult(_pins.ContainsKey(block)),
            unpin ?? (block => { _pins.TryRemove(block, out _); _unpinned.Enqueue(block); return Task.CompletedTask; }));

    private static Cid Block(string name) => Cid.Compute(ContentCodec.Raw, System.Text.Encoding.UTF8.GetBytes(name));

    /// <summary>Claims, then pins, as an ingestion does.</summary>
    private async Task PinAsync(PinClaims.Held held, Cid block, Cid? owner = null, bool isWeights = false)
    {
        await held.ClaimAsync(block, owner ?? block, isWeights, default);
        _pins[block] = true;
    }

    [Fact]
    public async Task A_block_is_unpinned_only_when_its_last_claim_ends_and_only_if_the_claims_pinned_it_for_nothing()
    {
        var claims = Claims();
        var (shared, before, kept, file) = (Block("shared"), Block("pinned before"), Block("chunk"), Block("file"));
        _pins[before] = true;
        _heldByReplica.Add(file);
        var first = claims.Begin();
        var second = claims.Begin();
        await PinAsync(first, shared);
        await PinAsync(first, shared); // twice in one ingestion
        await PinAsync(second, shared);
        await PinAsync(first, before);
        await PinAsync(first, kept, file, isWeights: true);

        await first.ReleaseAsync();
        Assert.Empty(_unpinned); // the second still claims the shared block; the others are not to be unpinned
        Assert.Equal(1, claims.Claimed);
        await second.ReleaseAsync();
        Assert.Equal([shared], _unpinned); // pinned by the first's claim, unpinned whoever ends last
        Assert.Equal(0, claims.Claimed);
    }

    [Fact]
    public async Task Retention_unpins_what_it_released_and_still_finds_unheld_but_a_block_an_ingestion_claims()
    {
        var claims = Claims();
        var (claimed, free, backIn) = (Block("claimed"), Block("free"), Block("taken back in"));
        foreach (var block in new[] { claimed, free, backIn })
            _pins[block] = true;
        var ingestion = claims.Begin();
        await PinAsync(ingestion, claimed, Block("new file"), isWeights: true); // a copy's chunk, arriving now
        IReadOnlyList<Cid>? offered = null;

        Assert.Empty(await claims.UnpinUnclaimedAsync([claimed, free, backIn], marked =>
        {
            offered = marked;
            return Task.FromResult<IReadOnlyCollection<Cid>>(marked.Where(block => !block.Equals(backIn)).ToList());
        }));

        Assert.Equal([free, backIn], offered);
        Assert.Equal([free], _unpinned);
        Assert.Equal(1, claims.Claimed); // only the ingestion's claim: every mark is gone
        await ingestion.ReleaseAsync();
        Assert.Equal([free], _unpinned); // pinned before the ingestion claimed it: never the ingestion's to unpin
    }

    [Fact]
    public async Task A_failing_unpin_stops_no_other_and_leaves_no_claim()
    {
        var unpinned = new ConcurrentQueue<Cid>();
        var claims = Claims(block => block.Equals(Block("a")) ? throw new IOException("node gone") : Task.Run(() => unpinned.Enqueue(block)));
        var held = claims.Begin();
        await PinAsync(held, Block("a"));
        await PinAsync(held, Block("b"));

        await held.ReleaseAsync();

        Assert.Equal([Block("b")], unpinned);
        Assert.Equal(0, claims.Claimed);
    }

    [Fact]
    public async Task A_claim_on_a_block_being_unpinned_waits_until_the_unpin_is_done()
    {
        var unpinning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = Claims(_ => unpinning.Task);
        var block = Block("a");
        var failed = claims.Begin();
        await PinAsync(failed, block);
        var releasing = failed.ReleaseAsync();

        var next = claims.Begin().ClaimAsync(block, block, isWeights: false, default);
        await Task.Delay(200);
        Assert.False(next.IsCompleted); // its pin would otherwise land before the unpin and be lost
        unpinning.SetResult();
        await releasing;
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, claims.Claimed);
    }
}
