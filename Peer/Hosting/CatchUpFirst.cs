using MlAspire.Peer.Engine;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// Lets a peer whose intake runs behind the network skip a training step and spend it on catching up. A peer behind
/// would train on stale tips, and publish one more transaction for every other peer to take in: on a saturated machine
/// all of them fall further behind and their replicas drift apart (docs/benchmarks.md). Skipping sheds that load where
/// it arises, so the network's publishing rate settles at what its peers can take in. At most
/// <see cref="MaxSkippedInARow"/> steps are skipped in a row, so creators that backdate their transactions (which would
/// need to be more than half of the creators it hears from, <see cref="ArrivalDelays"/>) slow a peer's learning down,
/// never stop it.
/// </summary>
/// <remarks>Not thread-safe: the training loop calls it.</remarks>
public sealed class CatchUpFirst(ArrivalDelays delays, TimeSpan maxDelay)
{
    public const int MaxSkippedInARow = 3;

    /// <summary>The default of <see cref="PeerOptions.MaxArrivalDelay"/>: one default training interval.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(5);

    private int _skipped;

    /// <summary>The arrivals' median wait when this step should be skipped for it; null when the step runs.</summary>
    public TimeSpan? Skip()
    {
        if (maxDelay > TimeSpan.Zero && _skipped < MaxSkippedInARow && delays.Median() is { } waited && waited > maxDelay)
        {
            _skipped++;
            return waited;
        }
        _skipped = 0;
        return null;
    }
}
