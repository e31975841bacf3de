using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tests.Shared;

/// <summary>
/// A tangle as its Bootstrap makes it, in memory: the Bootstrap's key, a genesis it signed, and membership credentials
/// it issues, for tests that build transactions without running a Bootstrap.
/// </summary>
public sealed class TestTangle : IDisposable
{
    /// <summary>When the genesis was created; credentials are valid around it, and test transactions are made after it.</summary>
    public const long GenesisTime = 1_764_000_000_000;

    public TestTangle(ModelShape? shape = null)
    {
        Shape = shape ?? ModelShape.LogisticRegression(8, 3);
        GenesisWeights = WeightCodec.Encode(Models.Create(Shape).Initialize(new Random(1)));
        GenesisDocument = TransactionDocument.CreateSigned(null, [], Cid.Compute(ContentCodec.Raw, GenesisWeights), GenesisTime, TransactionMetrics.None, Bootstrap);
        GenesisBytes = TransactionCodec.Encode(GenesisDocument);
        Genesis = Cid.Compute(ContentCodec.DagJson, GenesisBytes);
    }

    public PeerKey Bootstrap { get; } = PeerKey.Create();

    public ModelShape Shape { get; }

    public Cid Genesis { get; }

    public byte[] GenesisBytes { get; }

    public TransactionDocument GenesisDocument { get; }

    public byte[] GenesisWeights { get; }

    /// <summary>A credential for <paramref name="member"/> valid from genesis for ten years unless told otherwise.</summary>
    public MembershipCredential Credential(PeerKey member, int samples = 1000, bool publish = true, long? created = null, long? expires = null) =>
        MembershipCredential.Issue(new MembershipGrant(Genesis, member.Id, created ?? GenesisTime, expires ?? GenesisTime + 10L * 365 * 24 * 3600 * 1000, samples, publish), Bootstrap);

    public TransactionVerifier Verifier(int maxParents = 8, TimeProvider? time = null) =>
        new(Genesis, GenesisDocument, maxParents, time ?? TimeProvider.System, TransactionVerifier.DefaultClockSkew);

    public void Dispose() => Bootstrap.Dispose();
}
