using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// A hostile member (or outsider) against one peer's ingestor, in-process: every forgery is rejected with its reason,
/// counted, leaves nothing pinned, and every budget and rate holds. The same attacks on real processes are in
/// Integration.Tests/Hostile.
/// </summary>
public sealed class AttackTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-attack-").FullName;
    private readonly TestTangle _tangle = new();
    private readonly TestPeer _attacker;
    private readonly TestPeer _victim;
    private readonly long _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public AttackTests()
    {
        _attacker = new TestPeer(_tangle, Path.Combine(_root, "attacker"), TimeProvider.System);
        _victim = new TestPeer(_tangle, Path.Combine(_root, "victim"), TimeProvider.System, _attacker.Store, new IngestBudget { FetchTimeout = TimeSpan.FromSeconds(1), MaxAncestors = 100, MaxDepth = 50 });
    }

    public void Dispose()
    {
        _attacker.Dispose();
        _victim.Dispose();
        _tangle.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private Cid Genesis => _tangle.Genesis;

    private Cid Weights(int seed) => _attacker.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(_tangle.Shape).Initialize(new Random(seed))), default).Result;

    /// <summary>A transaction signed by <paramref name="key"/> (the attacker's by default, with its credential), stored in the attacker's store.</summary>
    private (Cid Cid, byte[] Bytes) Forge(IReadOnlyList<Cid> parents, Cid weights, long? created = null, TransactionMetrics? metrics = null, PeerKey? key = null, MembershipCredential? credential = null, bool noCredential = false)
    {
        key ??= _attacker.Key;
        var document = TransactionDocument.CreateSigned(Genesis, parents, weights, created ?? _now, metrics ?? new TransactionMetrics(0.1, 0.9, 10), key,
            noCredential ? null : credential ?? _tangle.Credential(key));
        var bytes = TransactionCodec.Encode(document);
        return (_attacker.Store.PutAsync(ContentCodec.DagJson, bytes, default).Result, bytes);
    }

    private async Task AssertRejectedAsync(IngestOutcome outcome, RejectionReason reason, params Cid[] notStored)
    {
        Assert.True(outcome.Status == IngestStatus.Rejected && outcome.Reason == reason, $"{outcome}");
        Assert.True(_victim.Metrics.RejectedTotals[reason] >= 1);
        Assert.Equal(1, _victim.Replica.Snapshot.Size);
        var pins = await _victim.Store.PinsAsync(default);
        foreach (var cid in notStored)
        {
            Assert.Null(_victim.Replica.Get(cid));
            Assert.DoesNotContain(cid, pins);
        }
    }

    public static TheoryData<string, RejectionReason> Forgeries => new()
    {
        { "nan-weights", RejectionReason.InvalidWeights },
        { "wrong-shape", RejectionReason.InvalidWeights },
        { "other-precision", RejectionReason.InvalidWeights },
        { "unknown-parent", RejectionReason.UnknownParent },
        { "bad-signature", RejectionReason.BadSignature },
        { "garbage", RejectionReason.CidMismatch },
        { "missing-weights", RejectionReason.WeightsUnavailable },
        { "fresh-key", RejectionReason.NonMember },
        { "observer", RejectionReason.NonMember },
        { "future", RejectionReason.Stale },
        { "older-than-its-parent", RejectionReason.Stale },
        { "too-many-parents", RejectionReason.InvalidParents },
        { "parent-not-a-document", RejectionReason.InvalidParents },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Forged_and_malformed_transactions_are_rejected_counted_and_leave_nothing_pinned(string attack, RejectionReason reason)
    {
        using var outsider = PeerKey.Create();
        Cid weights = attack switch
        {
            "nan-weights" => await _attacker.Store.PutAsync(ContentCodec.Raw, PoisonedWeights.WithNaN(_tangle.Shape), default),
            "wrong-shape" => await _attacker.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(ModelShape.LogisticRegression(4, 2)).Initialize(new Random(1))), default),
            "other-precision" => await _attacker.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(_tangle.Shape).Initialize(new Random(1)), WeightPrecision.Float16), default),
            "missing-weights" => Cid.Compute(ContentCodec.Raw, [1, 2, 3]),
            _ => Weights(5),
        };
        var parents = attack switch
        {
            "unknown-parent" => [Cid.Compute(ContentCodec.DagJson, "nobody has this"u8)],
            "older-than-its-parent" => [Forge([Genesis], Weights(6)).Cid],
            "too-many-parents" => Enumerable.Range(0, 9).Select(i => Forge([Genesis], Weights(6), created: _now - i)).Select(f => f.Cid).ToList(),
            "parent-not-a-document" => [Genesis, Weights(6)], // another member's weights, to be fetched, pinned and dropped as a document
            _ => new List<Cid> { Genesis },
        };
        var (cid, bytes) = attack switch
        {
            "fresh-key" => Forge(parents, weights, key: outsider, noCredential: true),
            "observer" => Forge(parents, weights, credential: _tangle.Credential(_attacker.Key, publish: false)),
            "future" => Forge(parents, weights, created: _now + 3_600_000),
            "older-than-its-parent" => Forge(parents, weights, created: _now - 3_600_000),
            _ => Forge(parents, weights),
        };
        if (attack == "bad-signature")
        {
            bytes = TransactionCodec.Encode(TransactionCodec.Decode(bytes) with { Metrics = new TransactionMetrics(0.0, 1.0, 10) });
            cid = Cid.Compute(ContentCodec.DagJson, bytes);
        }
        if (attack == "garbage")
            bytes = "{\"not\":\"a transaction\"}"u8.ToArray();

        // Older than its parent is also older than the history age: live paths would defer it; catch-up must check it.
        var path = attack == "older-than-its-parent" ? AnnouncementPath.CatchUp : AnnouncementPath.Live;
        await AssertRejectedAsync(await _victim.IngestAsync(cid, bytes, path), reason, [cid, .. parents.Where(p => !p.Equals(Genesis))]);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("oversized")]
    public async Task Garbage_announced_under_an_honest_cid_does_not_keep_the_honest_transaction_out(string offer)
    {
        var (cid, bytes) = Forge([Genesis], Weights(4));
        var garbage = offer == "garbage" ? "{\"not\":\"a transaction\"}"u8.ToArray() : new byte[TransactionDocument.MaxEncodedBytes + 1];

        var first = await _victim.IngestAsync(cid, garbage, from: "liar");
        var honest = await _victim.IngestAsync(cid, bytes, from: "honest");

        Assert.Equal(IngestStatus.Rejected, first.Status);
        Assert.Equal(IngestStatus.Inserted, honest.Status);
        Assert.NotNull(_victim.Replica.Get(cid));
    }

    [Fact]
    public async Task An_ancestor_chain_beyond_the_budget_is_refused_from_documents_alone_and_nothing_stays_pinned()
    {
        // A chain reusing one valid weights blob, announced by its newest transaction only.
        var weights = Weights(7);
        var chain = new List<Cid> { Genesis };
        for (var i = 0; i < 150; i++)
            chain.Add(Forge([chain[^1]], weights, created: _now - 150_000 + i * 1000).Cid);

        var outcome = await _victim.IngestAsync(chain[^1], path: AnnouncementPath.Live);

        await AssertRejectedAsync(outcome, RejectionReason.BudgetExceeded, [.. chain.Skip(1)]);
        Assert.DoesNotContain(weights, await _victim.Store.PinsAsync(default));
        Assert.False(_victim.Replica.HoldsWeights(weights)); // weights are fetched only after the documents pass
    }

    [Fact]
    public async Task A_chain_deeper_than_the_depth_budget_is_refused_even_within_the_count()
    {
        var victim = new TestPeer(_tangle, Path.Combine(_root, "shallow"), TimeProvider.System, _attacker.Store, new IngestBudget { FetchTimeout = TimeSpan.FromSeconds(1), MaxDepth = 10 });
        var chain = new List<Cid> { Genesis };
        for (var i = 0; i < 20; i++)
            chain.Add(Forge([chain[^1]], Weights(7), created: _now - 60_000 + i * 1000).Cid);

        var outcome = await victim.IngestAsync(chain[^1]);

        Assert.Equal(RejectionReason.BudgetExceeded, outcome.Reason);
        victim.Dispose();
    }

    [Fact]
    public async Task A_flood_from_one_creator_is_rate_limited_by_its_signed_timestamps_while_honest_history_passes()
    {
        var weights = Weights(8);
        // 100 transactions 1 ms apart: far denser than one per training interval.
        var flood = Enumerable.Range(0, 100).Select(i => Forge([Genesis], weights, created: _now - 1000 + i)).ToList();
        var outcomes = new List<IngestOutcome>();
        foreach (var (cid, bytes) in flood)
            outcomes.Add(await _victim.IngestAsync(cid, bytes, AnnouncementPath.CatchUp));

        var admitted = outcomes.Count(o => o.Status == IngestStatus.Inserted);
        Assert.InRange(admitted, RateLimits.CreatorBurst, RateLimits.CreatorBurst + 1);
        Assert.All(outcomes.Skip(admitted + 1), o => Assert.True(o.Reason == RejectionReason.RateLimited, $"{o}"));

        // Another member's honest history, one per training interval, arrives all at once in a catch-up: all of it is taken.
        using var honest = PeerKey.Create();
        var parent = Genesis;
        for (var i = 0; i < 100; i++)
        {
            var (cid, bytes) = Forge([parent], weights, created: _now - 200_000 + i * (long)TestPeer.TrainingInterval.TotalMilliseconds, key: honest);
            Assert.NotEqual(IngestStatus.Rejected, (await _victim.IngestAsync(cid, bytes, AnnouncementPath.CatchUp)).Status);
            parent = cid;
        }
    }

    [Fact]
    public async Task A_backlog_reads_as_waiting_by_each_creators_own_clock_and_one_backdating_creator_of_four_cannot_fake_it()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var victim = new TestPeer(_tangle, Path.Combine(_root, "timed"), time, _attacker.Store);
        var weights = Weights(11);
        var members = Enumerable.Range(0, 4).Select(_ => PeerKey.Create()).ToList();
        var tips = members.Select(_ => Genesis).ToList();
        async Task RoundAsync(Func<int, TimeSpan> age, AnnouncementPath path = AnnouncementPath.Live)
        {
            for (var m = 0; m < members.Count; m++)
            {
                var created = (time.GetUtcNow() - age(m)).ToUnixTimeMilliseconds();
                var (cid, bytes) = Forge([tips[m]], weights, created, key: members[m]);
                var outcome = await victim.IngestAsync(cid, bytes, path, from: $"neighbour-{m}");
                Assert.True(outcome.Status == IngestStatus.Inserted, $"{outcome}");
                tips[m] = cid;
            }
            time.Advance(TestPeer.TrainingInterval);
        }

        for (var round = 0; round < 3; round++)
            await RoundAsync(_ => TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.Zero, victim.Delays.Median());
        // What catch-up brings late counts as late: a peer far behind takes most of what it gets that way.
        await RoundAsync(_ => TimeSpan.FromSeconds(40), AnnouncementPath.CatchUp);
        Assert.InRange(victim.Delays.Median()!.Value, TimeSpan.FromSeconds(39.8), TimeSpan.FromSeconds(39.9));
        await RoundAsync(_ => TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.Zero, victim.Delays.Median());
        // One creator claims its transactions were created ever longer ago; the other three arrive as fast as before.
        for (var round = 1; round <= 6; round++)
            await RoundAsync(m => m == 0 ? TimeSpan.FromSeconds(8 * round) : TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.Zero, victim.Delays.Median());

        // Then the victim falls 20 s behind: everything, created at the same pace as before, arrives 20 s late.
        time.Advance(TimeSpan.FromSeconds(20));
        for (var round = 0; round < 2; round++)
            await RoundAsync(_ => TimeSpan.FromSeconds(20));
        Assert.InRange(victim.Delays.Median()!.Value, TimeSpan.FromSeconds(19.8), TimeSpan.FromSeconds(19.9));
        members.ForEach(k => k.Dispose());
    }

    [Fact]
    public async Task A_neighbour_pushing_faster_than_the_whole_network_publishes_is_rate_limited()
    {
        // The victim's clock stands still: every message arrives at the same instant, so only the burst refills nothing.
        using var victim = new TestPeer(_tangle, Path.Combine(_root, "still"), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow), _attacker.Store);
        var weights = Weights(9);
        var members = Enumerable.Range(0, 8).Select(_ => PeerKey.Create()).ToList();
        var outcomes = new List<IngestOutcome>();
        for (var i = 0; i < 200; i++)
        {
            var (cid, bytes) = Forge([Genesis], weights, created: _now - 200 + i, key: members[i % members.Count]);
            outcomes.Add(await victim.IngestAsync(cid, bytes, AnnouncementPath.Live, from: "pushy-neighbour"));
        }

        Assert.Equal(RateLimits.SenderBurst, outcomes.Count(o => o.Status == IngestStatus.Inserted));
        Assert.All(outcomes.Skip(RateLimits.SenderBurst), o => Assert.Equal(RejectionReason.RateLimited, o.Reason));
        members.ForEach(k => k.Dispose());
    }

    [Fact]
    public async Task An_inflated_sample_count_is_weighed_at_the_credentials_cap()
    {
        var (cid, bytes) = Forge([Genesis], Weights(10), metrics: new TransactionMetrics(0.1, 0.9, int.MaxValue), credential: _tangle.Credential(_attacker.Key, samples: 640));

        Assert.Equal(IngestStatus.Inserted, (await _victim.IngestAsync(cid, bytes)).Status);

        var transaction = _victim.Replica.Get(cid)!.Transaction;
        Assert.Equal(640, transaction.Metrics.SampleCount);
        // Averaged with an honest model of 640 samples, the inflated one counts exactly as much.
        var honest = new ModelWeights(_tangle.Shape, new float[_tangle.Shape.ParameterCount]);
        var inflated = _victim.Replica.Read((_, store) => store.Get(transaction.WeightsId));
        var average = new MlAspire.Tangle.Aggregation.SampleWeightedAggregator().Aggregate([
            new(transaction, inflated),
            new(transaction with { Id = "honest", Metrics = transaction.Metrics with { SampleCount = 640 } }, honest)]);
        Assert.Equal(inflated.Values[0] / 2, average.Values[0], 5);
    }

    [Fact]
    public async Task Caught_up_transactions_enter_without_weights_only_when_nobody_has_them_and_live_history_is_deferred()
    {
        var old = _now - 3_600_000;
        var missing = Cid.Compute(ContentCodec.Raw, "released long ago"u8);
        var (cid, bytes) = Forge([Genesis], missing, created: old);

        Assert.Equal(IngestStatus.Deferred, (await _victim.IngestAsync(cid, bytes, AnnouncementPath.Live)).Status);
        Assert.Equal(IngestStatus.Inserted, (await _victim.IngestAsync(cid, bytes, AnnouncementPath.CatchUp)).Status);
        Assert.True(_victim.Replica.WeightsReleased(_victim.Replica.Get(cid)!));

        // A fresh transaction must come with its weights on a live path; caught up, it enters without them only when
        // nobody has them (its creator released them), and walks never choose it.
        var (fresh, freshBytes) = Forge([cid], missing);
        Assert.Equal(RejectionReason.WeightsUnavailable, (await _victim.IngestAsync(fresh, freshBytes, AnnouncementPath.Live)).Reason);
        Assert.Equal(IngestStatus.Inserted, (await _victim.IngestAsync(fresh, freshBytes, AnnouncementPath.CatchUp)).Status);
        var (withWeights, withWeightsBytes) = Forge([fresh], Weights(11));
        Assert.Equal(IngestStatus.Inserted, (await _victim.IngestAsync(withWeights, withWeightsBytes, AnnouncementPath.CatchUp)).Status);
        Assert.False(_victim.Replica.WeightsReleased(_victim.Replica.Get(withWeights)!)); // fetched, since someone had them
    }

    [Fact]
    public async Task Models_nobody_approves_leave_memory_with_the_horizon_except_their_publishers_newest()
    {
        // The attacker publishes 20 models that nobody approves (each a tip for ever), spaced as the rate allows.
        var tips = new List<Cid>();
        for (var i = 0; i < 20; i++)
        {
            var (cid, bytes) = Forge([_tangle.Genesis], Weights(100 + i), created: _now - 20_000 + i * 1000);
            Assert.Equal(IngestStatus.Inserted, (await _victim.IngestAsync(cid, bytes)).Status);
            tips.Add(cid);
        }

        var released = _victim.Replica.ReleaseWeights(keepNewest: 5, protectedIds: new HashSet<string>());

        // Beyond the newest five, every tip's weights leave, but the publisher's newest model stays.
        Assert.Equal(15, released.Count);
        Assert.All(tips.Take(15), cid => Assert.True(_victim.Replica.WeightsReleased(_victim.Replica.Get(cid)!)));
        Assert.All(tips.Skip(15), cid => Assert.False(_victim.Replica.WeightsReleased(_victim.Replica.Get(cid)!)));
    }

    [Fact]
    public async Task A_bad_ancestor_leaves_nothing_waiting_in_the_replica_whatever_the_order_it_was_found_in()
    {
        // A approves Q and P, and P approves Q: breadth first finds Q before P, yet P must go in after Q. Q's weights are
        // of the wrong shape, so the announcement is refused; P, already verified, must not be left waiting for Q.
        var wrongShape = await _attacker.Store.PutAsync(ContentCodec.Raw, WeightCodec.Encode(Models.Create(ModelShape.LogisticRegression(4, 2)).Initialize(new Random(3))), default);
        var q = Forge([_tangle.Genesis], wrongShape, created: _now - 3000).Cid;
        var p = Forge([q], Weights(12), created: _now - 2000).Cid;
        var (a, bytes) = Forge([q, p], Weights(13), created: _now - 1000);

        var outcome = await _victim.IngestAsync(a, bytes);

        await AssertRejectedAsync(outcome, RejectionReason.InvalidWeights, a, p, q);
        Assert.Equal(0, _victim.Replica.Snapshot.Pending);
        Assert.False(_victim.Replica.IsKnown(p));
    }
}
