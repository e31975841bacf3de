using Google.Protobuf;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// One forged or malformed transaction per defect a peer checks for, offered by a member signing with its own key, so
/// that each is rejected for its defect (not for who sent it).
/// </summary>
public static class Forgeries
{
    /// <summary>Offers every forgery on <paramref name="member"/>'s announcements; returns what was offered.</summary>
    public static IReadOnlyList<TransactionMessage> Offer(HostileMember member, Cid validParent)
    {
        var forge = member.Forge;
        var key = member.Key;
        var shape = forge.Shape;
        var genesis = forge.Genesis;
        var good = forge.PutWeights(Models.Create(shape).Initialize(new Random(1)));
        var metrics = new TransactionMetrics(0.1, 0.9, 100);
        var before = member.Announcements.Count;

        Signed(forge.Document(key, genesis, [validParent], good, metrics) with { Metrics = new TransactionMetrics(0.0, 1.0, 100) }); // bad signature
        Signed(forge.Document(key, genesis, [validParent], forge.PutWeights(Models.Create(ModelShape.LogisticRegression(4, 2)).Initialize(new Random(2))), metrics)); // wrong shape
        Signed(forge.Document(key, genesis, [validParent], forge.Blocks.Put(ContentCodec.Raw, MlAspire.Tests.Shared.PoisonedWeights.WithNaN(shape)), metrics)); // NaN weights
        Signed(forge.Document(key, genesis, [Cid.Compute(ContentCodec.DagJson, "no such parent"u8)], good, metrics)); // unknown parent
        Signed(forge.Document(key, Cid.Compute(ContentCodec.DagJson, "another tangle"u8), [validParent], good, metrics)); // wrong tangle
        var garbage = "{\"garbage\":\"not a transaction\"}"u8.ToArray();
        Raw(Cid.Compute(ContentCodec.DagJson, garbage), garbage); // garbage payload under its own CID
        Raw(Cid.Compute(ContentCodec.DagJson, "announced"u8), "{\"delivered\":1}"u8.ToArray()); // bytes that are not what the CID names
        Raw(Cid.Compute(ContentCodec.DagJson, "huge"u8), new byte[64 * 1024]); // oversized
        return member.Announcements.Since(before);

        void Signed(TransactionDocument document)
        {
            var bytes = TransactionCodec.Encode(document);
            Raw(forge.Blocks.Put(ContentCodec.DagJson, bytes), bytes);
        }

        void Raw(Cid cid, byte[] document)
        {
            forge.Blocks.PutUnder(cid, document);
            member.Announcements.OfferRaw(new TransactionMessage { Cid = cid.ToString(), Document = ByteString.CopyFrom(document), Sequence = member.Announcements.Count + 1 });
        }
    }
}
