using Grpc.Core;
using MlAspire.Storage.Membership;

namespace MlAspire.Visualization.Membership;

/// <summary>
/// The membership headers (<see cref="MemberCallHeaders"/>) on every call to one peer's TangleSync service: the
/// observer's current credential and a call proof addressed to that peer. Calls wait until the observer has joined,
/// since a peer refuses them without. A proof is reused for up to <see cref="ProofReuse"/>, well inside the peers'
/// clock skew, so that a watcher does not sign every call.
/// </summary>
internal sealed class MemberCallCredentials(ObserverIdentity identity, string calleePeerId, TimeProvider time)
{
    public static readonly TimeSpan ProofReuse = TimeSpan.FromSeconds(30);

    private volatile Signed? _current;

    public async Task<(string Credential, string Proof)> HeadersAsync(CancellationToken cancellation)
    {
        var credential = await identity.CredentialAsync(cancellation);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var current = _current;
        if (current is null || !ReferenceEquals(current.Credential, credential) || now < current.AtMs || now - current.AtMs >= (long)ProofReuse.TotalMilliseconds)
        {
            var (credentialHeader, proofHeader) = MemberCallHeaders.Create(credential, identity.Key, calleePeerId, now);
            _current = current = new Signed(credential, now, credentialHeader, proofHeader);
        }
        return (current.CredentialHeader, current.ProofHeader);
    }

    public CallCredentials ToCallCredentials() => CallCredentials.FromInterceptor(async (context, metadata) =>
    {
        var (credential, proof) = await HeadersAsync(context.CancellationToken);
        metadata.Add(MemberCallHeaders.Credential, credential);
        metadata.Add(MemberCallHeaders.Proof, proof);
    });

    private sealed record Signed(MembershipCredential Credential, long AtMs, string CredentialHeader, string ProofHeader);
}
