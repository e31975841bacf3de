using System.Text;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;

namespace MlAspire.Storage.Tests.Transactions;

public class TransactionCodecTests
{
    private static readonly Cid Genesis = Cid.Compute(ContentCodec.DagJson, "genesis"u8);
    private static readonly Cid Weights = Cid.Compute(ContentCodec.Raw, "weights"u8);
    private static readonly Cid Parent = Cid.Compute(ContentCodec.DagJson, "parent"u8);

    private static (TransactionDocument Document, byte[] Bytes, Cid Cid) Signed(PeerKey key, Cid? genesis = null)
    {
        var document = TransactionDocument.CreateSigned(genesis ?? Genesis, [Parent], Weights, 1_764_000_000_000, new TransactionMetrics(0.25, 0.9, 320), key);
        var bytes = TransactionCodec.Encode(document);
        return (document, bytes, Cid.Compute(ContentCodec.DagJson, bytes));
    }

    [Fact]
    public void A_signed_transaction_round_trips_and_verifies()
    {
        using var key = PeerKey.Create();
        var (document, bytes, cid) = Signed(key);

        var verified = TransactionVerifier.Verify(cid, bytes, Genesis, maxParents: 8);

        Assert.Equal(document.Parents, verified.Parents);
        Assert.Equal(document.Metrics, verified.Metrics);
        Assert.Equal(key.Id, verified.CreatorId);
        var transaction = verified.ToTransaction(cid);
        Assert.Equal(cid.ToString(), transaction.Id);
        Assert.Equal([Parent.ToString()], transaction.Parents);
    }

    [Fact]
    public void The_encoding_is_canonical_dag_json_with_links()
    {
        using var key = PeerKey.Create();
        var text = Encoding.UTF8.GetString(Signed(key).Bytes);
        Assert.StartsWith("{\"payload\":{\"created\":1764000000000,\"creator\":{\"id\":\"p", text);
        Assert.Contains($"\"genesis\":{{\"/\":\"{Genesis}\"}}", text);
        Assert.Contains($"\"parents\":[{{\"/\":\"{Parent}\"}}]", text);
        Assert.Contains("\"metrics\":{\"acc\":\"0.9\",\"loss\":\"0.25\",\"samples\":320}", text);
        Assert.DoesNotContain(" ", text);
        Assert.DoesNotContain("\\u", text);
    }

    public static TheoryData<string, RejectionReason> Tampering => new()
    {
        { "signature", RejectionReason.BadSignature },
        { "metrics", RejectionReason.BadSignature },
        { "creator", RejectionReason.ForgedCreator },
        { "tangle", RejectionReason.WrongTangle },
        { "cid", RejectionReason.CidMismatch },
        { "garbage", RejectionReason.CidMismatch },
        { "whitespace", RejectionReason.Malformed },
        { "oversized", RejectionReason.Oversized },
        { "no-parents", RejectionReason.InvalidParents },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void Forged_or_malformed_transactions_are_rejected_with_the_reason(string tampering, RejectionReason reason)
    {
        using var key = PeerKey.Create();
        using var other = PeerKey.Create();
        var (document, bytes, cid) = Signed(key);

        (byte[] Bytes, Cid Cid) Recode(TransactionDocument d) { var b = TransactionCodec.Encode(d); return (b, Cid.Compute(ContentCodec.DagJson, b)); }
        var (forged, forgedCid) = tampering switch
        {
            "signature" => Recode(document with { Signature = Signed(other).Document.Signature }),
            "metrics" => Recode(document with { Metrics = new TransactionMetrics(0.01, 0.99, 320) }),
            "creator" => Recode(document with { CreatorKey = other.PublicKey }),
            "tangle" => Recode(TransactionDocument.CreateSigned(Cid.Compute(ContentCodec.DagJson, "other"u8), [Parent], Weights, 1, document.Metrics, key)),
            "cid" => (bytes, Cid.Compute(ContentCodec.DagJson, "something else"u8)),
            "garbage" => ("not json at all"u8.ToArray(), cid),
            "whitespace" => Recompute(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("{\"payload\"", "{ \"payload\""))),
            "oversized" => Recompute(new byte[TransactionDocument.MaxEncodedBytes + 1]),
            "no-parents" => Recode(TransactionDocument.CreateSigned(Genesis, [], Weights, 1, document.Metrics, key)),
            _ => throw new ArgumentException(tampering),
        };

        var error = Assert.Throws<TransactionRejectedException>(() => TransactionVerifier.Verify(forgedCid, forged, Genesis, maxParents: 8));
        Assert.Equal(reason, error.Reason);
    }

    private static (byte[], Cid) Recompute(byte[] bytes) => (bytes, Cid.Compute(ContentCodec.DagJson, bytes));

    [Fact]
    public void Keys_survive_export_and_import()
    {
        using var key = PeerKey.Create();
        using var imported = PeerKey.Import(key.ExportPkcs8());
        Assert.Equal(key.Id, imported.Id);
        Assert.True(PeerKey.Verify(key.PublicKey, "x"u8, imported.Sign("x"u8)));
        Assert.False(PeerKey.Verify("not base64!", "x"u8, imported.Sign("x"u8)));
    }
}
