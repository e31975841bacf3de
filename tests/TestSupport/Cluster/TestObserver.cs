using Grpc.Core;
using Grpc.Core.Interceptors;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;

namespace MlAspire.Integration.Tests;

/// <summary>
/// The tests' own membership, as the Visualization has one: an observer that joins the Bootstrap with a signed request
/// and shows its credential on every call to a peer's TangleSync (peers serve members only).
/// </summary>
public sealed class TestObserver(Func<MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient> bootstrap) : IDisposable
{
    private readonly SemaphoreSlim _joining = new(1, 1);
    private readonly BootstrapProofs.Clock _clock = new();
    private MembershipCredential? _credential;

    public PeerKey Key { get; } = PeerKey.Create();

    /// <summary>A call invoker that adds membership headers for the peer <paramref name="calleeId"/> names (joining first if needed).</summary>
    public CallInvoker Invoker(CallInvoker inner, Func<string> calleeId) => inner.Intercept(metadata =>
    {
        var credential = CredentialAsync().GetAwaiter().GetResult();
        var (header, proof) = MemberCallHeaders.Create(credential, Key, calleeId(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        metadata.Add(MemberCallHeaders.Credential, header);
        metadata.Add(MemberCallHeaders.Proof, proof);
        return metadata;
    });

    public async Task<MembershipCredential> CredentialAsync()
    {
        if (_credential is { } known) return known;
        await _joining.WaitAsync();
        try
        {
            if (_credential is null)
            {
                var request = new JoinRequest { PeerId = Key.Id, Observer = true };
                request.Proof = BootstrapProofs.Prove(Key, "join", request, _clock);
                var response = await bootstrap().JoinAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
                _credential = MembershipCredential.Decode(response.Credential.Span);
            }
            return _credential;
        }
        finally
        {
            _joining.Release();
        }
    }

    public void Dispose() => Key.Dispose();
}
