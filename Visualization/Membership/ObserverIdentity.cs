using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;

namespace MlAspire.Visualization.Membership;

/// <summary>
/// Who the Visualization is to the tangle: an observer member, with a key of its own and the credential the bootstrap
/// last gave it. The key is made at start and kept in memory only: a restarted Visualization joins as a new observer,
/// and the old one is dropped when its heartbeats stop.
/// </summary>
internal sealed class ObserverIdentity(TimeProvider time) : IDisposable
{
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile MembershipCredential? _credential;
    private long _lastProofMs;

    public PeerKey Key { get; } = PeerKey.Create();

    public string PeerId => Key.Id;

    /// <summary>The newest credential; null before the first join.</summary>
    public MembershipCredential? Credential => _credential;

    public void Update(MembershipCredential credential)
    {
        _credential = credential;
        _joined.TrySetResult();
    }

    /// <summary>The current credential, once the Visualization has joined.</summary>
    public async Task<MembershipCredential> CredentialAsync(CancellationToken cancellation)
    {
        await _joined.Task.WaitAsync(cancellation);
        return _credential!;
    }

    /// <summary>
    /// The time for the next request proof to the bootstrap: now, or just past the last one, since the bootstrap
    /// accepts each time once and only above the last.
    /// </summary>
    public long NextProofTimeMs()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastProofMs);
            var next = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), last + 1);
            if (Interlocked.CompareExchange(ref _lastProofMs, next, last) == last)
                return next;
        }
    }

    public void Dispose() => Key.Dispose();
}
