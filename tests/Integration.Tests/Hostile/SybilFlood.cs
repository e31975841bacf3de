using MlAspire.Storage.Content;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A Sybil flood: several members, one operator. Each publishes random weights at its own rate, and every transaction
/// approves only the cluster's newest transactions (genesis to begin with), so the cluster grows a sub-tangle of its
/// own beside the honest one and offers one walk start per identity. Each identity holds every block of the cluster,
/// so a victim can fetch any of it from whichever it asks.
/// </summary>
public sealed class SybilFlood : IAsyncDisposable
{
    private readonly PacedLoop _loop;

    public SybilFlood(IReadOnlyList<HostileMember> sybils, double perSecondEach, int maxParents, int seed = 1)
    {
        var random = new Random(seed);
        var genesis = sybils[0].Membership.Genesis;
        var newest = new List<Cid> { genesis };
        _loop = new PacedLoop(perSecondEach * sybils.Count, count =>
        {
            var sybil = sybils[count % sybils.Count];
            var weights = sybil.Forge.PutRandomWeights(random);
            var transaction = sybil.Forge.Sign(sybil.Key, [.. newest], weights);
            sybil.Blocks.TryGet(weights, out var weightBytes);
            foreach (var other in sybils.Where(s => s != sybil))
            {
                other.Blocks.PutUnder(weights, weightBytes);
                other.Blocks.PutUnder(transaction.Cid, transaction.Bytes);
            }
            sybil.Announcements.Offer(transaction);
            newest = [transaction.Cid, .. newest.Where(c => !c.Equals(genesis)).Take(maxParents - 1)];
        });
    }

    public int Offered => _loop.Count;

    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
