using MlAspire.Storage.Content;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member publishing valid transactions far faster than the tangle's training rate: each has fresh random (finite,
/// correctly shaped) weights and approves the member's own newest transaction and the current honest tips, and is
/// pushed to every victim watching the member.
/// </summary>
public sealed class Flood : IAsyncDisposable
{
    private readonly PacedLoop _loop;

    public Flood(HostileMember member, HonestFrontier honest, double perSecond, int maxParents, int seed = 1)
    {
        PerSecond = perSecond;
        var random = new Random(seed);
        var newest = member.Membership.Genesis;
        _loop = new PacedLoop(perSecond, _ =>
        {
            IReadOnlyList<Cid> parents = [newest, .. honest.Tips.Where(t => !t.Equals(newest)).Take(maxParents - 1)];
            var transaction = member.Forge.Sign(member.Key, parents, member.Forge.PutRandomWeights(random));
            member.Announcements.Offer(transaction);
            newest = transaction.Cid;
        });
    }

    public double PerSecond { get; }

    public int Offered => _loop.Count;

    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
