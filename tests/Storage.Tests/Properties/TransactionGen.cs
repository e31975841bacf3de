using CsCheck;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tests.Shared;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>Generators of the values transactions and credentials carry, at their extremes as often as in between.</summary>
public static class TransactionGen
{
    /// <summary>A few members: keys are slow to make, and which key signs does not matter to any property here.</summary>
    private static readonly PeerKey[] Members = [.. Enumerable.Range(0, 3).Select(_ => PeerKey.Create())];

    /// <summary>NaN, ±∞, ±0, extremes, subnormals, and anything else.</summary>
    public static readonly Gen<double> Doubles = Gen.OneOf(
        Gen.Double.Special,
        Gen.Long[1, (1L << 52) - 1].Select(bits => BitConverter.Int64BitsToDouble(bits)),
        Gen.Long.Select(BitConverter.Int64BitsToDouble));

    public static readonly Gen<int> Ints = Gen.OneOf(Gen.Const(int.MinValue), Gen.Const(int.MaxValue), Gen.Const(0), Gen.Int);

    public static Gen<long> Longs(long min = long.MinValue, long max = long.MaxValue) => Gen.OneOf(Gen.Const(min), Gen.Const(max), Gen.Long[min, max]);

    /// <summary>Any valid Unicode text (never a lone surrogate, which no writer can encode), ASCII more often.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (3, Gen.Char['!', '~'].Array[0, 24].Select(chars => new string(chars))),
        (1, Gen.Int[0, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32).Array[0, 12].Select(string.Concat)));

    public static Gen<Cid> Link(ContentCodec codec) => Gen.Byte.Array[32].Select(digest => new Cid(codec, digest));

    /// <summary>Distinct links by construction (the first digest byte is the index), so shrinking cannot make two equal.</summary>
    public static Gen<Cid[]> Links(ContentCodec codec, int min, int max) =>
        Gen.Int[min, max].SelectMany(count => Gen.Byte.Array[32].Array[count]).Select(digests =>
            digests.Select((digest, index) => { digest[0] = (byte)index; return new Cid(codec, digest); }).ToArray());

    public static readonly Gen<TransactionMetrics> Metrics = Gen.Select(Doubles, Doubles, Ints, (loss, accuracy, samples) => new TransactionMetrics(loss, accuracy, samples));

    /// <summary>Any credential the codec can write: arbitrary grant values and signature text.</summary>
    public static readonly Gen<MembershipCredential> Credential = Gen.Select(
        Link(ContentCodec.DagJson), Text, Longs(), Longs(), Ints, Gen.Bool, Text,
        (genesis, subject, created, expires, samples, publish, signature) => new MembershipCredential(new MembershipGrant(genesis, subject, created, expires, samples, publish), signature));

    /// <summary>Any document the codec can write: arbitrary text, times and counts; no signature checked.</summary>
    public static readonly Gen<TransactionDocument> Arbitrary = Gen.Select(
        Gen.Bool, Link(ContentCodec.DagJson), Links(ContentCodec.DagJson, 0, TransactionDocument.MaxParentLinks), Link(ContentCodec.Raw),
        Text, Text, Longs(), Metrics, Text, Gen.Bool.SelectMany(has => has ? Credential.Select(c => (MembershipCredential?)c) : Gen.Const((MembershipCredential?)null)),
        (isGenesis, genesis, parents, weights, id, key, created, metrics, signature, credential) =>
            new TransactionDocument(isGenesis ? null : genesis, parents, weights, id, key, created, metrics, signature, credential));

    /// <summary>
    /// Transactions of <paramref name="tangle"/> that its verifier must accept at <paramref name="nowMs"/>: signed by a
    /// member holding a publishing credential valid around its creation (bounds as wide as a long allows), created
    /// within the clock skew, with 1 to <paramref name="maxParents"/> distinct parents and any metrics.
    /// </summary>
    public static Gen<(TransactionDocument Document, PeerKey Creator)> Valid(TestTangle tangle, long nowMs, int maxParents, long skewMs) => Gen.Select(
        Gen.Int[0, Members.Length - 1], Gen.Long[TestTangle.GenesisTime - skewMs, nowMs + skewMs], Links(ContentCodec.DagJson, 1, maxParents),
        Link(ContentCodec.Raw), Metrics, Ints, Longs(long.MinValue, TestTangle.GenesisTime - skewMs), Longs(nowMs + skewMs, long.MaxValue),
        (member, created, parents, weights, metrics, grantedSamples, validFrom, validTo) =>
        {
            var key = Members[member];
            var credential = tangle.Credential(key, grantedSamples, publish: true, created: validFrom, expires: validTo);
            return (TransactionDocument.CreateSigned(tangle.Genesis, parents, weights, created, metrics, key, credential), key);
        });
}
