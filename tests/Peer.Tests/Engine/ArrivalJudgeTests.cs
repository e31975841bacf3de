using MlAspire.Peer.Engine;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// Arrivals are judged on local data while their weights are in memory; walks rate older ones by what was remembered,
/// and one never judged as useless. Judged only at each training step, a peer holding few weights in memory left
/// arrivals unrated whenever more came between two steps than memory held (at 50 peers, a step's interval brings about
/// as many as 50): so each is judged as it is taken in.
/// </summary>
public sealed class ArrivalJudgeTests : IDisposable
{
    private static readonly LearningParameters Learning = new() { PublishRule = PublishRuleKind.Always };
    private readonly TestPeers _peers = new();

    public void Dispose() => _peers.Dispose();

    private TestPeer Peer(string name, TestPeer? neighbour = null, int weightsInMemory = Replica.DefaultWeightsInMemory) =>
        _peers.Add(name, neighbour, weightsInMemory: weightsInMemory);

    private static async Task<List<TransactionRecord>> PublishAsync(TestPeer peer, int count)
    {
        var published = new List<TransactionRecord>();
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(TestPeer.TrainingInterval); // the network's rate for one creator
            published.Add((await peer.Publisher.TrainAsync(EngineTests.Data(1), Learning, new Random(i), default)).Published!);
        }
        return published;
    }

    [Fact]
    public async Task A_burst_larger_than_memory_is_judged_whole_with_no_training_step_in_between()
    {
        var a = Peer("a");
        var published = await PublishAsync(a, 6);
        var b = Peer("b", a, weightsInMemory: 2);
        var local = EngineTests.Data(2);
        b.Judge.Attach(local);

        // One catch-up brings all six, ancestors first, with nothing in between.
        Assert.Equal(IngestStatus.Inserted, (await b.IngestAsync(published[^1].Cid, path: AnnouncementPath.CatchUp)).Status);

        Assert.All(published.Take(3), r => Assert.False(b.Replica.TryGetWeights(r.Transaction.WeightsId, out _), $"{r.Sequence}'s weights are still in memory"));
        Assert.All(published, r => Assert.True(local.TryRecall(r.Transaction.WeightsId, out _), $"{r.Sequence} was never judged"));
        double Rating(TransactionRecord r) => b.Replica.Read((graph, weights) =>
            TrainingStep.LocalAccuracy(graph, local, weights)(Enumerable.Range(0, graph.Count).First(s => graph[s].Id == r.Cid.ToString())));
        Assert.True(Rating(published[0]) > 0, "a walk rates the oldest, out of memory, as useless");
    }

    [Fact]
    public async Task A_peer_judges_its_own_transactions_as_it_publishes_them()
    {
        var a = Peer("a", weightsInMemory: 2);
        var local = EngineTests.Data(1);
        var published = new List<TransactionRecord>();
        for (var i = 0; i < 4; i++)
            published.Add((await a.Publisher.TrainAsync(local, Learning, new Random(i), default)).Published!);

        Assert.All(published, r => Assert.True(local.TryRecall(r.Transaction.WeightsId, out _), $"{r.Sequence} was never judged"));
    }

    [Fact]
    public async Task Attaching_judges_only_the_arrivals_in_memory_not_replayed_history()
    {
        var a = Peer("a", weightsInMemory: 2);
        await PublishAsync(a, 5);
        var local = EngineTests.Data(2);

        a.Judge.Attach(local);

        var records = a.Replica.Since(-1, int.MaxValue);
        Assert.All(records.TakeLast(2), r => Assert.True(local.TryRecall(r.Transaction.WeightsId, out _), $"{r.Sequence} was not judged"));
        // Genesis is in memory (always kept) but older than the newest arrivals: not judged.
        Assert.All(records.SkipLast(2), r => Assert.False(local.TryRecall(r.Transaction.WeightsId, out _), $"{r.Sequence} was looked at"));
        Assert.True(a.Replica.TryGetWeights(records[0].Transaction.WeightsId, out _));
        Assert.Throws<InvalidOperationException>(() => a.Judge.Attach(local));
    }
}
