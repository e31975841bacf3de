using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Tangle.Tests.Learning;

/// <summary>
/// <see cref="WeightCodec.Decode"/> on weights blocks fetched from other peers: finite weights of a consistent shape, or
/// an <see cref="InvalidWeightsException"/>, nothing else; one encoding per model; and no allocation from what the
/// header merely declares.
/// </summary>
public sealed class WeightCodecProperties
{
    /// <summary>Finite floats: extremes, ±0, subnormals, anything else.</summary>
    private static readonly Gen<float> Finite = Gen.OneOf(Gen.Float.Special, Gen.Int[1, (1 << 23) - 1].Select(BitConverter.Int32BitsToSingle), Gen.Int.Select(BitConverter.Int32BitsToSingle))
        .Where(float.IsFinite);

    private static readonly Gen<ModelShape> Shapes = Gen.OneOf(
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 10], ModelShape.LogisticRegression),
        Gen.Select(Gen.Int[1, 20], Gen.Int[1, 12], Gen.Int[1, 10], ModelShape.Mlp));

    private static readonly Gen<ModelWeights> Weights = Shapes.SelectMany(shape => Finite.Array[shape.ParameterCount].Select(values => new ModelWeights(shape, values)));

    private static readonly Gen<byte[]> Encoded = Weights.Select(WeightCodec.Encode);

    /// <summary>
    /// A well-formed header (magic, version, architecture, checksum of what follows) declaring any dimensions, over a
    /// payload of any length: the input that gets furthest into the decoder without being valid.
    /// </summary>
    private static readonly Gen<byte[]> ForgedHeaders = Gen.Select(Gen.Byte[0, 3], Gen.Int.Array[4], Gen.Byte.Array[0, 256], Forge);

    private static byte[] Forge(byte architecture, int[] dimensions, byte[] payload)
    {
        var bytes = new byte[WeightCodec.HeaderSize + payload.Length];
        "MLAW"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), WeightCodec.FormatVersion);
        bytes[6] = architecture;
        for (var i = 0; i < 4; i++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + 4 * i), dimensions[i]);
        payload.CopyTo(bytes, WeightCodec.HeaderSize);
        SHA256.HashData(payload, bytes.AsSpan(24, 32));
        return bytes;
    }

    /// <summary>Consistent dimensions and parameter count, up to 2³¹ − 1 parameters, over a payload shorter than they need.</summary>
    private static readonly Gen<byte[]> Overclaiming = Gen.Select(Gen.Int[1, 1 << 16], Gen.Int[1, 1 << 15], Gen.Byte.Array[0, 256], (inputs, classes, payload) =>
    {
        var count = (int)Math.Min(int.MaxValue, (long)inputs * classes + classes);
        var bytes = Forge(1, [inputs, 0, classes, count], payload);
        return count == (long)inputs * classes + classes && 4L * count > payload.Length ? bytes : Forge(1, [1, 0, 1, 2], []);
    });

    private static void DecodesCanonicallyOrRejects(byte[] bytes)
    {
        ModelWeights? decoded = null;
        if (HostileInput.Decodes<InvalidWeightsException>(() => decoded = WeightCodec.Decode(bytes)))
            Assert.Equal(bytes, WeightCodec.Encode(decoded!));
    }

    [Fact]
    public void Arbitrary_forged_and_mutated_input_decodes_canonically_or_raises_InvalidWeightsException() =>
        Gen.OneOf(Gen.Byte.Array[0, 200], ForgedHeaders, Mutations.Of(Encoded)).Sample(DecodesCanonicallyOrRejects, iter: 5000);

    [Fact]
    public void Weights_round_trip_bit_for_bit() =>
        Weights.Sample(weights =>
        {
            var decoded = WeightCodec.Decode(WeightCodec.Encode(weights));
            Assert.Equal(weights.Shape, decoded.Shape);
            Assert.Equal(weights.Values.ToArray().Select(BitConverter.SingleToInt32Bits), decoded.Values.ToArray().Select(BitConverter.SingleToInt32Bits));
        }, iter: 500);

    [Fact]
    public void A_non_finite_weight_with_a_correct_checksum_is_rejected() =>
        Gen.Select(Encoded, Gen.Int, Gen.OneOf(Gen.Const(float.NaN), Gen.Const(float.PositiveInfinity), Gen.Const(float.NegativeInfinity))).Sample((bytes, index, poison) =>
        {
            var payload = bytes.AsSpan(WeightCodec.HeaderSize);
            BinaryPrimitives.WriteSingleLittleEndian(payload[(int)((uint)index % (uint)(payload.Length / 4) * 4)..], poison);
            SHA256.HashData(payload, bytes.AsSpan(24, 32));
            Assert.Throws<InvalidWeightsException>(() => WeightCodec.Decode(bytes));
        }, iter: 300);

    // The decoder allocates the values (4 bytes per 4 payload bytes) only once the payload is exactly as long as the
    // header says and its checksum matches: 1 byte per input byte, plus the model objects and the rejection message
    // (which quotes header fields, never the payload), under 2 KiB. A header declaring 2³¹ parameters over 200 bytes
    // allocates the constant alone.
    [Fact]
    public void Decoding_allocates_at_most_1_byte_per_input_byte_plus_2_KiB()
    {
        HostileInput.WarmUp<InvalidWeightsException>(b => WeightCodec.Decode(b), [], Encoded.Single(), ForgedHeaders.Single());
        Gen.OneOf(Gen.Byte.Array[0, 200], ForgedHeaders, Mutations.Of(Encoded), Encoded).Sample(bytes =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => HostileInput.Decodes<InvalidWeightsException>(() => WeightCodec.Decode(bytes)));
            HostileInput.AssertAllocationWithin(allocated, bytes.Length, 1, 2048, "WeightCodec.Decode");
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void A_header_declaring_more_parameters_than_the_payload_holds_is_refused_allocating_under_2_KiB()
    {
        HostileInput.WarmUp<InvalidWeightsException>(b => WeightCodec.Decode(b), Overclaiming.Single());
        Overclaiming.Sample(bytes =>
        {
            InvalidWeightsException? refusal = null;
            var allocated = HostileInput.BytesAllocatedBy(() => refusal = Assert.Throws<InvalidWeightsException>(() => WeightCodec.Decode(bytes)));
            Assert.Contains("truncated", refusal!.Message);
            HostileInput.AssertAllocationWithin(allocated, bytes.Length, 0, 2048, "WeightCodec.Decode of an overclaiming header");
        }, iter: 500, threads: 1);
    }
}
