using System.Diagnostics;
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
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flooding;
    private int _offered;

    public SybilFlood(IReadOnlyList<HostileMember> sybils, double perSecondEach, int maxParents, int seed = 1)
    {
        _flooding = Task.Run(async () =>
        {
            var random = new Random(seed);
            var clock = Stopwatch.StartNew();
            var newest = new List<Cid> { sybils[0].Membership.Genesis };
            while (!_stop.IsCancellationRequested)
            {
                while (_offered < clock.Elapsed.TotalSeconds * perSecondEach * sybils.Count)
                {
                    var sybil = sybils[_offered % sybils.Count];
                    var weights = sybil.Forge.PutRandomWeights(random);
                    var transaction = sybil.Forge.Sign(sybil.Key, [.. newest], weights);
                    sybil.Blocks.TryGet(weights, out var weightBytes);
                    foreach (var other in sybils.Where(s => s != sybil))
                    {
                        other.Blocks.PutUnder(weights, weightBytes);
                        other.Blocks.PutUnder(transaction.Cid, transaction.Bytes);
                    }
                    sybil.Announcements.Offer(transaction);
                    newest = [transaction.Cid, .. newest.Where(c => !c.Equals(sybil.Membership.Genesis)).Take(maxParents - 1)];
                    Interlocked.Increment(ref _offered);
                }
                await Task.Delay(5, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    public int Offered => Volatile.Read(ref _offered);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _flooding;
        _stop.Dispose();
    }
}
