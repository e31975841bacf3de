using CsCheck;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tests.Shared;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>
/// <see cref="TransactionCodec.Decode"/> on another peer's bytes: a canonical document or a <see cref="FormatException"/>
/// (<see cref="NonCanonicalException"/> among them), nothing else; one encoding per document; linear allocation.
/// </summary>
public sealed class TransactionCodecProperties
{
    private static readonly string[] Keys =
        ["payload", "created", "creator", "id", "key", "membership", "genesis", "metrics", "acc", "loss", "samples", "parents", "version", "weights", "/", "signature",
         "grant", "expires", "publish", "subject"];

    private static readonly Gen<byte[]> Encoded = TransactionGen.Arbitrary.Select(TransactionCodec.Encode);

    /// <summary>A decoded document is the canonical encoding of what it decodes to: no second byte string (no second CID) for it.</summary>
    private static void DecodesCanonicallyOrRejects(byte[] bytes)
    {
        TransactionDocument? decoded = null;
        if (HostileInput.Decodes<FormatException>(() => decoded = TransactionCodec.Decode(bytes)))
            Assert.Equal(bytes, TransactionCodec.Encode(decoded!));
    }

    [Fact]
    public void Arbitrary_bytes_and_json_decode_canonically_or_raise_FormatException() =>
        Gen.OneOf(Gen.Byte.Array[0, 600], JsonMutations.Arbitrary(Keys)).Sample(DecodesCanonicallyOrRejects, iter: 2000);

    [Fact]
    public void Byte_mutations_of_valid_encodings_decode_canonically_or_raise_FormatException() =>
        Mutations.Of(Encoded).Sample(DecodesCanonicallyOrRejects, iter: 1000);

    [Fact]
    public void Json_mutations_of_valid_encodings_decode_canonically_or_raise_FormatException() =>
        Encoded.SelectMany(JsonMutations.Of).Sample(DecodesCanonicallyOrRejects, iter: 1000);

    [Fact]
    public void Generated_documents_round_trip_byte_for_byte() =>
        TransactionGen.Arbitrary.Sample(document =>
        {
            var bytes = TransactionCodec.Encode(document);
            var decoded = TransactionCodec.Decode(bytes);
            Assert.Equal(document.Parents, decoded.Parents);
            Assert.Equal(document with { Parents = decoded.Parents }, decoded);
            Assert.Equal(bytes, TransactionCodec.Encode(decoded));
        }, iter: 300);

    [Fact]
    public void More_parent_links_than_are_read_raise_FormatException() =>
        Gen.Select(TransactionGen.Arbitrary, TransactionGen.Links(ContentCodec.DagJson, TransactionDocument.MaxParentLinks + 1, 150))
            .Sample((document, parents) =>
            {
                var bytes = TransactionCodec.Encode(document with { Parents = parents });
                Assert.Throws<FormatException>(() => TransactionCodec.Decode(bytes));
            }, iter: 100);

    // Parsing keeps a copy of the input (n), the JSON metadata (12 bytes per token, rented in doubling sizes) and the
    // decoded strings (2 bytes per character); the canonical check re-encodes into a doubling stream (≤ 4n) and copies
    // it (n). 64 bytes per input byte leaves room for all of that; the constant covers the reader, writer and exception
    // objects, measured at under 8 KiB for an empty input.
    private const int BytesPerInputByte = 64;
    private const int ConstantBytes = 16 * 1024;

    [Fact]
    public void Decoding_allocates_at_most_64_bytes_per_input_byte_plus_16_KiB()
    {
        HostileInput.WarmUp<FormatException>(b => TransactionCodec.Decode(b), [], [.. "{}"u8], TransactionCodec.Encode(TransactionGen.Arbitrary.Single()));
        Gen.OneOf(Gen.Byte.Array[0, 600], JsonMutations.Arbitrary(Keys), Mutations.Of(Encoded), Encoded).Sample(bytes =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => HostileInput.Decodes<FormatException>(() => TransactionCodec.Decode(bytes)));
            HostileInput.AssertAllocationWithin(allocated, bytes.Length, BytesPerInputByte, ConstantBytes, "TransactionCodec.Decode");
        }, iter: 1000, threads: 1);
    }

    [Fact]
    public void Input_over_16_KiB_is_refused_before_parsing_allocating_no_more_than_for_an_empty_one()
    {
        HostileInput.WarmUp<FormatException>(b => TransactionCodec.Decode(b), new byte[TransactionDocument.MaxEncodedBytes + 1]);
        Gen.Int[TransactionDocument.MaxEncodedBytes + 1, 4 * TransactionDocument.MaxEncodedBytes].Select(length => new byte[length]).Sample(bytes =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => Assert.Throws<FormatException>(() => TransactionCodec.Decode(bytes)));
            HostileInput.AssertAllocationWithin(allocated, bytes.Length, 0, ConstantBytes, "TransactionCodec.Decode of an oversized input");
        }, iter: 50, threads: 1);
    }
}
