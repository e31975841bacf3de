using System.Collections.Concurrent;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Engine;

/// <summary>
/// This peer's membership: the credential the Bootstrap last issued it, and the proofs it shows on calls to other
/// members. Set on join and on renewal (heartbeat); read by publishing and by every outbound TangleSync call.
/// </summary>
public sealed class MembershipState(PeerKey key, TimeProvider time)
{
    /// <summary>A proof is reused for this long per callee, so calls are not signed one by one (the callee allows the clock skew).</summary>
    private static readonly TimeSpan ProofReuse = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, (long Until, (string Credential, string Proof) Headers)> _headers = new(StringComparer.Ordinal);
    private volatile MembershipCredential? _credential;

    public string PeerId => key.Id;

    public MembershipCredential? Credential => _credential;

    public void Renew(MembershipCredential credential)
    {
        _credential = credential;
        _headers.Clear();
    }

    /// <summary>The credential if it is valid at <paramref name="atMs"/>: transactions created outside it would be refused by every member.</summary>
    public MembershipCredential? ValidAt(long atMs) =>
        _credential is { } credential && atMs >= credential.Grant.Created && atMs <= credential.Grant.Expires ? credential : null;

    /// <summary>The membership headers for a call to <paramref name="calleePeerId"/>, or null before the first join.</summary>
    public (string Credential, string Proof)? HeadersFor(string calleePeerId)
    {
        if (_credential is not { } credential) return null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_headers.TryGetValue(calleePeerId, out var cached) && cached.Until > now)
            return cached.Headers;
        var headers = MemberCallHeaders.Create(credential, key, calleePeerId, now);
        _headers[calleePeerId] = (now + (long)ProofReuse.TotalMilliseconds, headers);
        return headers;
    }
}
