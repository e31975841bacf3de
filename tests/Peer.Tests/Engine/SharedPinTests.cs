using System.Collections.Concurrent;
using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// Two ingestions in flight that need one block share its pin (a store's pins are a set): one transaction announced by
/// two neighbours, or two children of one unknown parent. The one that fails must not unpin what the other inserts,
/// or garbage collection later deletes the weights or document of a transaction in the tangle — the 2020 prototype's
/// second wall. Blocks are held at a gate so that every interleaving is forced, not hoped for.
/// </summary>
public sealed class SharedPinTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-shared-pin-").FullName;
    private readonly TestTangle _tangle = new();
    private readonly TestPeer _publisher;
    private readonly TestPeer _victim;
    private readonly Gate _gate = new();
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public SharedPinTests()
    {
        _publisher = new TestPeer(_tangle, Path.Combine(_root, "publisher"), TimeProvider.System);
        _victim = new TestPeer(_tangle, Path.Combine(_root, "victim"), TimeProvider.System, _publisher.Store,
            new IngestBudget { FetchTimeout = TimeSpan.FromSeconds(30), MaxWeightedAncestors = 32 }, wrapSource: _gate.Around);
    }

    public void Dispose()
    {
        _publisher.Dispose();
        _victim.Dispose();
        _tangle.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private Cid Weights(int seed) =>
        _publisher.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(_tangle.Shape).Initialize(new Random(seed))), default).Result;

    private (Cid Cid, byte[] Bytes) Publish(IReadOnlyList<Cid> parents, Cid weights, long created)
    {
        var bytes = TransactionCodec.Encode(TransactionDocument.CreateSigned(_tangle.Genesis, parents, weights, created,
            new TransactionMetrics(0.1, 0.9, 10), _publisher.Key, _tangle.Credential(_publisher.Key)));
        return (_publisher.Store.PutAsync(ContentCodec.DagJson, bytes, default).Result, bytes);
    }

    private async Task AssertKeptAsync(params Cid[] blocks)
    {
        await _victim.Store.CollectGarbageAsync(default);
        var pins = await _victim.Store.PinsAsync(default);
        Assert.Equal(0, _victim.Ingestor.PinsClaimed); // every claim released
        foreach (var block in blocks)
        {
            Assert.Contains(block, pins);
            Assert.True(await _victim.Store.HasAsync(block, default), $"{block} was collected");
        }
    }

    /// <summary>A transaction whose weights are held at the gate, announced by "a", with a's ask for them.</summary>
    private sealed record HeldAnnouncement(Cid Cid, byte[] Bytes, Cid Weights, Task<IngestOutcome> FromA, TaskCompletionSource<bool> AskOfA);

    private async Task<HeldAnnouncement> AnnounceWithWeightsHeldAsync(int seed)
    {
        var weights = Weights(seed);
        var (cid, bytes) = Publish([_tangle.Genesis], weights, _now);
        _gate.Hold(weights);
        var fromA = _victim.IngestAsync(cid, bytes, from: "a");
        return new HeldAnnouncement(cid, bytes, weights, fromA, await _gate.NextAsync());
    }

    [Fact]
    public async Task One_transaction_from_several_neighbours_at_once_is_fetched_once()
    {
        var held = await AnnounceWithWeightsHeldAsync(6);

        var others = Enumerable.Range(0, 3).Select(i => _victim.IngestAsync(held.Cid, held.Bytes, from: $"n{i}")).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // time for the others to ask too, if they would
        _gate.Open();
        held.AskOfA.SetResult(true);

        var first = await held.FromA;
        var later = await Task.WhenAll(others);
        Assert.Equal(1, _gate.Asks);
        Assert.Equal(IngestStatus.Inserted, first.Status);
        Assert.All(later, outcome => Assert.Equal(IngestStatus.Known, outcome.Status));
        await AssertKeptAsync(held.Cid, held.Weights);
    }

    [Fact]
    public async Task One_transaction_from_two_neighbours_goes_in_when_the_first_fetch_fails()
    {
        var held = await AnnounceWithWeightsHeldAsync(7);

        var fromB = _victim.IngestAsync(held.Cid, held.Bytes, from: "b");
        held.AskOfA.SetResult(false); // a never sends the weights
        Assert.Equal(IngestStatus.Rejected, (await held.FromA).Status);
        (await _gate.NextAsync()).SetResult(true); // b, which waited for a, asks itself
        Assert.Equal(IngestStatus.Inserted, (await fromB).Status);

        Assert.NotNull(_victim.Replica.Get(held.Cid));
        await AssertKeptAsync(held.Cid, held.Weights);
    }

    [Fact]
    public async Task Two_transactions_of_one_weights_blob_keep_it_pinned_when_one_fetch_fails()
    {
        var weights = Weights(5);
        var (first, firstBytes) = Publish([_tangle.Genesis], weights, _now - 1_000);
        var (second, secondBytes) = Publish([_tangle.Genesis], weights, _now);
        _gate.Hold(weights);

        var fromA = _victim.IngestAsync(first, firstBytes, from: "a");
        var askOfA = await _gate.NextAsync();
        var fromB = _victim.IngestAsync(second, secondBytes, from: "b");
        var askOfB = await _gate.NextAsync();
        askOfB.SetResult(true);
        Assert.Equal(IngestStatus.Inserted, (await fromB).Status);
        askOfA.SetResult(false); // a's ask gets nothing, after b's brought the blob
        await fromA;

        Assert.NotNull(_victim.Replica.Get(second));
        await AssertKeptAsync(second, weights);
    }

    [Fact]
    public async Task Two_children_of_one_unknown_parent_keep_it_pinned_when_one_of_them_is_rejected()
    {
        var (parent, _) = Publish([_tangle.Genesis], Weights(8), _now - 2_000);
        var missing = Cid.Compute(ContentCodec.DagJson, "nobody has this"u8);
        var (rejected, rejectedBytes) = Publish([parent, missing], Weights(9), _now - 1_000);
        var (accepted, acceptedBytes) = Publish([parent], Weights(10), _now);
        _gate.Hold(parent);

        var first = _victim.IngestAsync(rejected, rejectedBytes, from: "a");
        var askOfFirst = await _gate.NextAsync();
        var second = _victim.IngestAsync(accepted, acceptedBytes, from: "b");
        var askOfSecond = await _gate.NextAsync();
        askOfFirst.SetResult(true); // the parent arrives, then its other parent is nowhere
        Assert.Equal(RejectionReason.UnknownParent, (await first).Reason);
        askOfSecond.SetResult(true);
        Assert.Equal(IngestStatus.Inserted, (await second).Status);

        Assert.NotNull(_victim.Replica.Get(parent));
        await AssertKeptAsync(parent, accepted, _victim.Replica.Get(parent)!.Weights);
    }

    [Fact]
    public async Task A_hostile_file_that_links_weights_the_replica_holds_unpins_none_of_them()
    {
        var weights = Weights(11);
        var (honest, honestBytes) = Publish([_tangle.Genesis], weights, _now - 1_000);
        Assert.Equal(IngestStatus.Inserted, (await _victim.IngestAsync(honest, honestBytes)).Status);
        // A file whose last chunk is the honest weights' block, larger than the model's weights: refused from its root,
        // whose links a cleanup by file (unpin the root and all it links) would have taken for this fetch's own.
        var honestBlock = await _publisher.Store.GetAsync(weights, TimeSpan.FromSeconds(1), default);
        var file = UnixFsFile.Build(new byte[UnixFsFile.ChunkSize].Concat(honestBlock).ToArray());
        Assert.Equal(weights, file[^1].Cid);
        var root = await _publisher.Store.PutAsync(file[0].Cid.Codec, file[0].Bytes, default);
        var (hostile, hostileBytes) = Publish([honest], root, _now);

        Assert.Equal(RejectionReason.InvalidWeights, (await _victim.IngestAsync(hostile, hostileBytes, from: "attacker")).Reason);

        await AssertKeptAsync(honest, weights);
        Assert.DoesNotContain(root, await _victim.Store.PinsAsync(default)); // what landed for nothing goes
    }

    /// <summary>Holds every ask for the held blocks until the test lets it through, with the block or with nothing.</summary>
    private sealed class Gate
    {
        private readonly ConcurrentQueue<TaskCompletionSource<bool>> _waiting = new();
        private readonly SemaphoreSlim _asked = new(0);
        private readonly HashSet<Cid> _held = [];
        private volatile bool _open;
        private int _asks;

        public void Hold(Cid block) => _held.Add(block);

        /// <summary>How many asks for held blocks came, held or not.</summary>
        public int Asks => Volatile.Read(ref _asks);

        /// <summary>From now on, asks for held blocks are counted and let through; those waiting too.</summary>
        public void Open()
        {
            _open = true;
            while (_waiting.TryDequeue(out var ask))
                ask.TrySetResult(true);
        }

        public IBlockSource Around(IBlockSource inner) => new Source(this, inner);

        /// <summary>The next held ask, in the order they came; true lets the block through, false answers nothing.</summary>
        public async Task<TaskCompletionSource<bool>> NextAsync()
        {
            Assert.True(await _asked.WaitAsync(TimeSpan.FromSeconds(20)), "nobody asked for a held block");
            Assert.True(_waiting.TryDequeue(out var ask));
            return ask;
        }

        private sealed class Source(Gate gate, IBlockSource inner) : IBlockSource
        {
            public async Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken)
            {
                if (!gate._held.Contains(cid))
                    return await inner.TryFetchAsync(cid, preferredPeer, cancellationToken);
                Interlocked.Increment(ref gate._asks);
                if (gate._open)
                    return await inner.TryFetchAsync(cid, preferredPeer, cancellationToken);
                var ask = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                gate._waiting.Enqueue(ask);
                gate._asked.Release();
                return await ask.Task.WaitAsync(cancellationToken) ? await inner.TryFetchAsync(cid, preferredPeer, cancellationToken) : null;
            }
        }
    }
}
