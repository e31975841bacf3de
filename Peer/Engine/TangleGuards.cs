using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Engine;

/// <summary>
/// The checks a replica applies to other members' transactions, made from its genesis and the Bootstrap's rules once it
/// follows a tangle: the verifier (form, signature, membership, clock) and the publishing rate limits.
/// </summary>
/// <param name="members">How many members publish now, for the senders' share of the rate.</param>
public sealed class TangleGuards(Replica replica, TimeProvider time, Func<int> members)
{
    private TransactionVerifier? _verifier;
    private RateLimits? _rates;

    public TransactionVerifier Verifier => LazyInitializer.EnsureInitialized(ref _verifier, () => Ready(() => new TransactionVerifier(
        replica.Genesis, replica.GenesisDocument, replica.Rules.MaxParents, time, TransactionVerifier.DefaultClockSkew)));

    public RateLimits Rates => LazyInitializer.EnsureInitialized(ref _rates, () => Ready(() => new RateLimits(replica.Rules.TrainingInterval, members)));

    /// <summary>
    /// A transaction created longer ago than this is history: live paths do not carry it, and caught up it enters without
    /// its weights. A minute, or twelve training intervals when those are longer.
    /// </summary>
    public long HistoryAgeMs => Math.Max(60_000, 12 * (long)replica.Rules.TrainingInterval.TotalMilliseconds);

    private T Ready<T>(Func<T> create) =>
        replica.IsInitialized ? create() : throw new InvalidOperationException("The replica follows no tangle yet.");
}
