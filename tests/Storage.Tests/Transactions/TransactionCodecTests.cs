using System.Numerics;
using System.Text;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace MlAspire.Storage.Tests.Transactions;

public sealed class TransactionCodecTests : IDisposable
{
    private const long Created = TestTangle.GenesisTime + 60_000;
    private static readonly Cid Weights = Cid.Compute(ContentCodec.Raw, "weights"u8);
    private static readonly Cid Parent = Cid.Compute(ContentCodec.DagJson, "parent"u8);
    private readonly TestTangle _tangle = new();

    public void Dispose() => _tangle.Dispose();

    private (TransactionDocument Document, byte[] Bytes, Cid Cid) Signed(PeerKey key, Cid? genesis = null, MembershipCredential? credential = null, long created = Created)
    {
        var document = TransactionDocument.CreateSigned(genesis ?? _tangle.Genesis, [Parent], Weights, created, new TransactionMetrics(0.25, 0.9, 320), key, credential ?? _tangle.Credential(key));
        var bytes = TransactionCodec.Encode(document);
        return (document, bytes, Cid.Compute(ContentCodec.DagJson, bytes));
    }

    [Fact]
    public void A_signed_transaction_round_trips_and_verifies()
    {
        using var key = PeerKey.Create();
        var (document, bytes, cid) = Signed(key);

        var verified = _tangle.Verifier().Verify(cid, bytes);

        Assert.Equal(document.Parents, verified.Parents);
        Assert.Equal(document.Metrics, verified.Metrics);
        Assert.Equal(key.Id, verified.CreatorId);
        Assert.Equal(document.Membership, verified.Membership);
        var transaction = verified.ToTransaction(cid);
        Assert.Equal(cid.ToString(), transaction.Id);
        Assert.Equal([Parent.ToString()], transaction.Parents);
    }

    [Fact]
    public void The_encoding_is_canonical_dag_json_with_links()
    {
        using var key = PeerKey.Create();
        var text = Encoding.UTF8.GetString(Signed(key).Bytes);
        Assert.StartsWith($"{{\"payload\":{{\"created\":{Created},\"creator\":{{\"id\":\"p", text);
        Assert.Contains($"\"membership\":{{\"grant\":{{\"created\":{TestTangle.GenesisTime},", text);
        Assert.Contains($"\"genesis\":{{\"/\":\"{_tangle.Genesis}\"}}", text);
        Assert.Contains($"\"parents\":[{{\"/\":\"{Parent}\"}}]", text);
        Assert.Contains("\"metrics\":{\"acc\":\"0.9\",\"loss\":\"0.25\",\"samples\":320}", text);
        Assert.DoesNotContain(" ", text);
        Assert.DoesNotContain("\\u", text);
    }

    [Fact]
    public void The_sample_count_a_replica_weighs_is_capped_by_the_credential()
    {
        using var key = PeerKey.Create();
        var document = TransactionDocument.CreateSigned(_tangle.Genesis, [Parent], Weights, Created, new TransactionMetrics(0.25, 0.9, int.MaxValue), key, _tangle.Credential(key, samples: 640));
        var bytes = TransactionCodec.Encode(document);
        var cid = Cid.Compute(ContentCodec.DagJson, bytes);

        Assert.Equal(640, _tangle.Verifier().Verify(cid, bytes).ToTransaction(cid).Metrics.SampleCount);
    }

    public static TheoryData<string, RejectionReason> Tampering => new()
    {
        { "signature", RejectionReason.BadSignature },
        { "metrics", RejectionReason.BadSignature },
        { "creator", RejectionReason.ForgedCreator },
        { "tangle", RejectionReason.WrongTangle },
        { "cid", RejectionReason.CidMismatch },
        { "garbage", RejectionReason.CidMismatch },
        { "whitespace", RejectionReason.NonCanonical },
        { "oversized", RejectionReason.Oversized },
        { "no-parents", RejectionReason.InvalidParents },
        { "too-many-parents", RejectionReason.InvalidParents },
        { "high-s", RejectionReason.NonCanonical },
        { "loose-base64", RejectionReason.NonCanonical },
        { "no-credential", RejectionReason.NonMember },
        { "credential-of-another", RejectionReason.NonMember },
        { "credential-from-another-bootstrap", RejectionReason.NonMember },
        { "observer", RejectionReason.NonMember },
        { "credential-edited", RejectionReason.NonMember },
        { "outside-credential", RejectionReason.Stale },
        { "in-the-future", RejectionReason.Stale },
        { "before-genesis", RejectionReason.Stale },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void Forged_or_malformed_transactions_are_rejected_with_the_reason(string tampering, RejectionReason reason)
    {
        using var key = PeerKey.Create();
        using var other = PeerKey.Create();
        using var otherBootstrap = new TestTangle();
        var (document, bytes, cid) = Signed(key);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        (byte[] Bytes, Cid Cid) Recode(TransactionDocument d) { var b = TransactionCodec.Encode(d); return (b, Cid.Compute(ContentCodec.DagJson, b)); }
        (byte[] Bytes, Cid Cid) Resign(TransactionDocument d) => Recode(d with { Signature = key.SignToText(TransactionCodec.EncodePayload(d)) });
        var (forged, forgedCid) = tampering switch
        {
            "signature" => Recode(document with { Signature = Signed(other).Document.Signature }),
            "metrics" => Recode(document with { Metrics = new TransactionMetrics(0.01, 0.99, 320) }),
            "creator" => Recode(document with { CreatorKey = other.PublicKey }),
            "tangle" => Resign(document with { Genesis = Cid.Compute(ContentCodec.DagJson, "other"u8) }),
            "cid" => (bytes, Cid.Compute(ContentCodec.DagJson, "something else"u8)),
            "garbage" => ("not json at all"u8.ToArray(), cid),
            "whitespace" => Recompute(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("{\"payload\"", "{ \"payload\""))),
            "oversized" => Recompute(new byte[TransactionDocument.MaxEncodedBytes + 1]),
            "no-parents" => Resign(document with { Parents = [] }),
            "too-many-parents" => Resign(document with { Parents = [.. Enumerable.Range(0, 9).Select(i => Cid.Compute(ContentCodec.DagJson, [(byte)i]))] }),
            "high-s" => Recode(document with { Signature = HighS(document.Signature) }),
            "loose-base64" => Recode(document with { Signature = document.Signature[..40] + "\n" + document.Signature[40..] }),
            "no-credential" => Resign(document with { Membership = null }),
            "credential-of-another" => Resign(document with { Membership = _tangle.Credential(other) }),
            "credential-from-another-bootstrap" => Resign(document with { Membership = otherBootstrap.Credential(key) with { Grant = _tangle.Credential(key).Grant } }),
            "observer" => Resign(document with { Membership = _tangle.Credential(key, publish: false) }),
            "credential-edited" => Resign(document with { Membership = document.Membership! with { Grant = document.Membership.Grant with { Samples = int.MaxValue } } }),
            "outside-credential" => Signed(key, credential: _tangle.Credential(key, created: Created + 3_600_000)) is var s ? (s.Bytes, s.Cid) : default,
            "in-the-future" => Signed(key, created: now + 3_600_000) is var f ? (f.Bytes, f.Cid) : default,
            "before-genesis" => Signed(key, created: TestTangle.GenesisTime - 3_600_000, credential: _tangle.Credential(key, created: 0)) is var b ? (b.Bytes, b.Cid) : default,
            _ => throw new ArgumentException(tampering),
        };

        var error = Assert.Throws<TransactionRejectedException>(() => _tangle.Verifier().Verify(forgedCid, forged));
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void The_clock_check_uses_the_verifiers_clock()
    {
        using var key = PeerKey.Create();
        var (_, bytes, cid) = Signed(key);
        var early = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Created - 3_600_000));

        Assert.Equal(RejectionReason.Stale, Assert.Throws<TransactionRejectedException>(() => _tangle.Verifier(time: early).Verify(cid, bytes)).Reason);
        _tangle.Verifier(time: new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(Created))).Verify(cid, bytes);
    }

    private static (byte[], Cid) Recompute(byte[] bytes) => (bytes, Cid.Compute(ContentCodec.DagJson, bytes));

    /// <summary>The other valid ECDSA signature of the same message: s replaced by n − s.</summary>
    internal static string HighS(string signature)
    {
        var order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
        var bytes = Convert.FromBase64String(signature);
        var s = new BigInteger(bytes.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var flipped = (order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(bytes, 32, 32);
        flipped.CopyTo(bytes, 64 - flipped.Length);
        return Convert.ToBase64String(bytes);
    }

    [Fact]
    public void Signatures_are_low_s_and_a_high_s_twin_is_refused_though_it_verifies_mathematically()
    {
        using var key = PeerKey.Create();
        for (var i = 0; i < 64; i++)
        {
            var signature = key.SignToText([(byte)i]);
            Assert.Equal(PeerKey.Check.Valid, PeerKey.Verify(key.PublicKey, [(byte)i], signature));
            var twin = HighS(signature);
            Assert.Equal(PeerKey.Check.NonCanonical, PeerKey.Verify(key.PublicKey, [(byte)i], twin));
            using var ecdsa = System.Security.Cryptography.ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key.PublicKey), out _);
            Assert.True(ecdsa.VerifyData(new[] { (byte)i }, Convert.FromBase64String(twin), System.Security.Cryptography.HashAlgorithmName.SHA256));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0x1234)]
    [InlineData(0x0100_0000)]
    public void A_low_s_with_leading_zero_bytes_is_written_right_aligned(int lowS)
    {
        var order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
        var signature = new byte[64];
        (order - lowS).TryWriteBytes(signature.AsSpan(32), out _, isUnsigned: true, isBigEndian: true);

        PeerKey.ToLowS(signature);

        Assert.Equal(new BigInteger(lowS), new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true));
    }

    [Fact]
    public void Keys_survive_export_and_import()
    {
        using var key = PeerKey.Create();
        using var imported = PeerKey.Import(key.ExportPkcs8());
        Assert.Equal(key.Id, imported.Id);
        Assert.Equal(PeerKey.Check.Valid, PeerKey.Verify(key.PublicKey, "x"u8, imported.SignToText("x"u8)));
        Assert.Equal(PeerKey.Check.Invalid, PeerKey.Verify("not base64!", "x"u8, imported.SignToText("x"u8)));
    }
}
