using MlAspire.Integration.Tests;
using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Tangle.Training;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>
/// A peer whose store sits on a tmpfs that is filled: its own full disk must neither be counted against the sender of
/// what it could not store nor leave anything half-written, and everything goes on once space is back.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private static readonly LearningParameters Learning = new() { PublishRule = PublishRuleKind.Always };
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-peer-").FullName;
    private readonly Tmpfs _disk = Tmpfs.Mount(4 << 20);
    private readonly TestTangle _tangle = new();
    private readonly List<TestPeer> _peers = [];

    public void Dispose()
    {
        _peers.ForEach(p => p.Dispose());
        _tangle.Dispose();
        _disk.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private TestPeer Peer(string directory, TestPeer? neighbour = null)
    {
        var peer = new TestPeer(_tangle, directory, TimeProvider.System, neighbour?.Store);
        _peers.Add(peer);
        return peer;
    }

    [Fact]
    public async Task A_full_disk_stops_ingesting_and_publishing_without_a_rejection_or_a_partial_block_and_both_resume_when_space_returns()
    {
        var a = Peer(Path.Combine(_root, "a"));
        var cramped = Peer(Path.Combine(_disk.Path, "store"), a);
        var first = (await a.Publisher.TrainAsync(EngineTests.Data(1), Learning, new Random(1), default)).Published!;
        var second = (await a.Publisher.TrainAsync(EngineTests.Data(1), Learning, new Random(2), default)).Published!;
        var pinsBefore = (await cramped.Store.PinsAsync(default)).ToHashSet();

        _disk.Fill();
        // Its own disk, not the sender: thrown for the caller to retry, never a rejection remembered against the CID.
        await Assert.ThrowsAsync<StoreFullException>(() => cramped.IngestAsync(second.Cid));
        await Assert.ThrowsAsync<StoreFullException>(() => cramped.IngestAsync(second.Cid, second.Document, AnnouncementPath.CatchUp));
        Assert.True(cramped.Space.IsFull);
        Assert.Empty(cramped.Metrics.RejectedTotals);
        Assert.False(cramped.Replica.IsKnown(first.Cid)); // nor inserted without its weights
        var (outcome, published) = await cramped.Publisher.TrainAsync(EngineTests.Data(2), Learning, new Random(3), default);
        Assert.True(outcome.ShouldPublish);
        Assert.Null(published);
        Assert.Equal(1, cramped.Replica.Snapshot.Size);
        Assert.Equal(pinsBefore, (await cramped.Store.PinsAsync(default)).ToHashSet());
        Assert.Empty(Directory.EnumerateFiles(_disk.Path, "*.tmp", SearchOption.AllDirectories));

        _disk.Free();
        Assert.Equal(IngestStatus.Inserted, (await cramped.IngestAsync(second.Cid)).Status);
        Assert.Equal(3, cramped.Replica.Snapshot.Size);
        Assert.True(cramped.Replica.HoldsWeights(first.Weights));
        Assert.NotNull((await cramped.Publisher.TrainAsync(EngineTests.Data(2), Learning, new Random(4), default)).Published);
        Assert.False(cramped.Space.IsFull);
    }
}
