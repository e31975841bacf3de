using System.Diagnostics;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// Runs an action at a steady rate in the background until disposed: it catches up with the schedule, then sleeps a
/// little, so the rate holds whatever a Delay's granularity. The floods publish with it.
/// </summary>
public sealed class PacedLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _count;

    /// <param name="act">Called with the number of earlier calls.</param>
    public PacedLoop(double perSecond, Action<int> act)
    {
        _loop = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            while (!_stop.IsCancellationRequested)
            {
                while (_count < clock.Elapsed.TotalSeconds * perSecond)
                {
                    act(_count);
                    Interlocked.Increment(ref _count);
                }
                await Task.Delay(5, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    /// <summary>Calls made so far.</summary>
    public int Count => Volatile.Read(ref _count);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
