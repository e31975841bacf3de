using MlAspire.Peer.Engine;
using MlAspire.Tests.Shared;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>Peers of one test tangle, each in a folder of one temporary root; disposing removes them all.</summary>
public sealed class TestPeers : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mlaspire-peer-").FullName;
    private readonly List<TestPeer> _peers = [];

    public TestTangle Tangle { get; } = new();

    /// <summary>A new peer in folder <paramref name="name"/>, fetching what it lacks from <paramref name="neighbour"/>'s store.</summary>
    public TestPeer Add(string name, TestPeer? neighbour = null, IngestBudget? budget = null, int weightsInMemory = Replica.DefaultWeightsInMemory)
    {
        var peer = new TestPeer(Tangle, Path.Combine(_root, name), TimeProvider.System, neighbour?.Store, budget, weightsInMemory: weightsInMemory);
        _peers.Add(peer);
        return peer;
    }

    public void Dispose()
    {
        _peers.ForEach(p => p.Dispose());
        Tangle.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
