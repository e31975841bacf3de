using Microsoft.Extensions.Time.Testing;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Visualization.Membership;

namespace MlAspire.Visualization.Tests.Membership;

/// <summary>The membership headers the Visualization sends on every call to a peer.</summary>
public sealed class MemberCallCredentialsTests : IDisposable
{
    private static readonly Cid Genesis = Cid.Compute(ContentCodec.Raw, [7]);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    private readonly PeerKey _bootstrap = PeerKey.Create();
    private readonly ObserverIdentity _identity;

    public MemberCallCredentialsTests() => _identity = new ObserverIdentity(_time);

    [Fact]
    public async Task Calls_wait_for_a_credential_then_carry_headers_the_callee_accepts_and_no_other_peer_does()
    {
        var headers = new MemberCallCredentials(_identity, "pcallee", _time);

        var waiting = headers.HeadersAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        _identity.Update(Issue());
        var (credential, proof) = await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(Check(credential, proof, "pcallee", out var problem));
        Assert.Equal("", problem);
        Assert.Null(Check(credential, proof, "panother", out _));
    }

    [Fact]
    public async Task A_proof_is_reused_for_30_seconds_and_remade_after_or_with_a_new_credential()
    {
        var headers = new MemberCallCredentials(_identity, "pcallee", _time);
        _identity.Update(Issue());

        var first = await headers.HeadersAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        var reused = await headers.HeadersAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var remade = await headers.HeadersAsync(CancellationToken.None);
        _identity.Update(Issue());
        var renewed = await headers.HeadersAsync(CancellationToken.None);

        Assert.Equal(first, reused);
        Assert.NotEqual(first.Proof, remade.Proof);
        Assert.Equal(first.Credential, remade.Credential);
        Assert.NotEqual(remade.Credential, renewed.Credential);
        Assert.NotNull(Check(remade.Credential, remade.Proof, "pcallee", out _));
        Assert.NotNull(Check(renewed.Credential, renewed.Proof, "pcallee", out _));
    }

    private MembershipCredential Issue()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return MembershipCredential.Issue(new MembershipGrant(Genesis, _identity.PeerId, now, now + 3_600_000, 0, Publish: false), _bootstrap);
    }

    /// <summary>The check a peer makes (a minute of clock skew).</summary>
    private MembershipGrant? Check(string credential, string proof, string callee, out string problem) =>
        MemberCallHeaders.Check(credential, proof, _bootstrap.PublicKey, Genesis, callee, _time.GetUtcNow().ToUnixTimeMilliseconds(), TimeSpan.FromMinutes(1), out problem);

    public void Dispose()
    {
        _identity.Dispose();
        _bootstrap.Dispose();
    }
}
