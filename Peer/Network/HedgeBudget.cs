namespace MlAspire.Peer.Network;

/// <summary>
/// How many hedged asks this peer may send: one for every ten blocks it fetched, with room for a burst of ten, as gRPC's
/// retry throttling budgets retries. Hedging beats a slow neighbour while the machine has room. When it has none, every
/// answer is slow, so every fetch hedges, and each hedge adds a block read and send (or a not-found round trip) to the
/// load that made the answers slow: 50 peers on two full cores asked 2.1 times per block they fetched, against 1.0 to
/// 1.1 with room to spare. A fetch out of hedges hedges only an ask older than <see cref="NeighbourBlockSource.LateHedge"/>,
/// and an ask that fails still makes room for the next neighbour at once. One budget for the peer: a member answering
/// slowly on purpose can spend it, and then delays the blocks it is asked for first by that late hedge, not more.
/// </summary>
public sealed class HedgeBudget
{
    /// <summary>Blocks fetched to earn one hedge.</summary>
    public const int FetchesPerHedge = 10;

    /// <summary>Hedges held at most, and at the start.</summary>
    public const int Burst = 10;

    // In fetches' worth, so that the budget is one integer changed with compare-and-swap.
    private int _earned = Burst * FetchesPerHedge;

    /// <summary>Hedges on hand, whole.</summary>
    public int Available => Volatile.Read(ref _earned) / FetchesPerHedge;

    /// <summary>A block came from a neighbour: a fetch's worth earned, up to <see cref="Burst"/> hedges.</summary>
    public void Fetched() => Change(+1, _ => true);

    /// <summary>Spends a hedge if one is on hand.</summary>
    public bool TrySpend() => Change(-FetchesPerHedge, held => held >= FetchesPerHedge);

    private bool Change(int delta, Func<int, bool> allowed)
    {
        while (true)
        {
            var held = Volatile.Read(ref _earned);
            if (!allowed(held)) return false;
            var next = Math.Min(held + delta, Burst * FetchesPerHedge);
            if (Interlocked.CompareExchange(ref _earned, next, held) == held) return true;
        }
    }
}
