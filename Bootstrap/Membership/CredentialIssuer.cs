using Microsoft.Extensions.Options;
using MlAspire.Bootstrap.Genesis;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;

namespace MlAspire.Bootstrap.Membership;

/// <summary>
/// Signs membership credentials with the bootstrap's key, the key that signed the genesis: any member holding the
/// genesis checks them offline, and a restarted bootstrap (same data directory) issues credentials that check the same.
/// </summary>
public sealed class CredentialIssuer : IDisposable
{
    private readonly PeerKey _key;
    private readonly Cid _genesis;
    private readonly TimeProvider _time;

    /// <exception cref="InvalidOperationException">The stored key is not the one that signed the genesis.</exception>
    public CredentialIssuer(GenesisStore store, GenesisBlocks genesis, IOptions<BootstrapOptions> options, TimeProvider time)
    {
        _key = store.LoadKey();
        if (_key.PublicKey != genesis.CreatorKey)
        {
            _key.Dispose();
            throw new InvalidOperationException(
                $"The key in {store.DataDirectory} did not sign the genesis {genesis.TransactionCid}: credentials it signed would not check. " +
                "Restore the key file, or delete the data directory to start a new tangle.");
        }
        _genesis = genesis.TransactionCid;
        Lifetime = options.Value.CredentialLifetime;
        _time = time;
    }

    public TimeSpan Lifetime { get; }

    /// <summary>A credential for <paramref name="subject"/>, valid from now for the configured lifetime.</summary>
    public MembershipCredential Issue(string subject, int samples, bool publish)
    {
        var now = _time.GetUtcNow();
        var grant = new MembershipGrant(_genesis, subject, now.ToUnixTimeMilliseconds(), (now + Lifetime).ToUnixTimeMilliseconds(), samples, publish);
        return MembershipCredential.Issue(grant, _key);
    }

    /// <summary>
    /// Whether less than half of <paramref name="current"/>'s lifetime remains (or none was issued): then a heartbeat
    /// renews it, so a heartbeating member always holds a credential with half a lifetime or more ahead.
    /// </summary>
    public bool IsDue(MembershipGrant? current)
    {
        if (current is null)
            return true;
        var halfLife = (current.Expires - current.Created) / 2;
        return _time.GetUtcNow().ToUnixTimeMilliseconds() > current.Created + halfLife;
    }

    public void Dispose() => _key.Dispose();
}
