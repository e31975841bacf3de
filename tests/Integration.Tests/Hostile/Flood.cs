using System.Diagnostics;
using MlAspire.Storage.Content;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member publishing valid transactions far faster than the tangle's training rate: each has fresh random (finite,
/// correctly shaped) weights and approves the member's own newest transaction and the current honest tips, and is
/// pushed to every victim watching the member.
/// </summary>
public sealed class Flood : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flooding;
    private int _offered;

    public Flood(HostileMember member, HonestFrontier honest, double perSecond, int maxParents, int seed = 1)
    {
        PerSecond = perSecond;
        _flooding = Task.Run(async () =>
        {
            var random = new Random(seed);
            var clock = Stopwatch.StartNew();
            var newest = member.Membership.Genesis;
            while (!_stop.IsCancellationRequested)
            {
                // Catch up with the schedule, then sleep a little: a steady rate whatever a Delay's granularity.
                while (_offered < clock.Elapsed.TotalSeconds * perSecond)
                {
                    IReadOnlyList<Cid> parents = [newest, .. honest.Tips.Where(t => !t.Equals(newest)).Take(maxParents - 1)];
                    var transaction = member.Forge.Sign(member.Key, parents, member.Forge.PutRandomWeights(random));
                    member.Announcements.Offer(transaction);
                    newest = transaction.Cid;
                    Interlocked.Increment(ref _offered);
                }
                await Task.Delay(5, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    public double PerSecond { get; }

    public int Offered => Volatile.Read(ref _offered);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _flooding;
        _stop.Dispose();
    }
}
