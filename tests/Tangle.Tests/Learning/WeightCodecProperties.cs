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
        Gen.Select(Gen.Int[1, 40], Gen.Int[2, 10], ModelShape.LogisticRegression),
        Gen.Select(Gen.Int[1, 20], Gen.Int[1, 12], Gen.Int[2, 10], ModelShape.Mlp));

    private static readonly Gen<ModelWeights> Weights = Shapes.SelectMany(shape => Finite.Array[shape.ParameterCount].Select(values => new ModelWeights(shape, values)));

    private static readonly Gen<byte[]> Encoded = Gen.Select(Weights, Gen.Bool, (weights, half) => WeightCodec.Encode(weights, half ? WeightPrecision.Float16 : WeightPrecision.Float32));

    /// <summary>Descriptions near valid ones: real models, one character changed, or random printable text.</summary>
    private static readonly Gen<string> Descriptions = Gen.OneOf(
        Shapes.Select(shape => shape.Description),
        Gen.Select(Shapes, Gen.Int, Gen.Char[' ', '~'], (shape, at, c) =>
        {
            var text = shape.Description.ToCharArray();
            text[(int)((uint)at % (uint)text.Length)] = c;
            return new string(text);
        }),
        Gen.String[Gen.Char[' ', '~'], 0, 300]);

    /// <summary>
    /// Well-formed version 2 headers (magic, version, checksum of what follows) declaring any parameter count for a
    /// near-valid description over a payload of any length, and version 1 headers declaring any dimensions: the input
    /// that gets furthest into the decoder without being valid.
    /// </summary>
    private static readonly Gen<byte[]> ForgedHeaders = Gen.OneOf(
        Gen.Select(Descriptions, Gen.Int, Gen.Byte.Array[0, 256], Gen.Byte[0, 2], Forge),
        Gen.Select(Gen.Byte[0, 3], Gen.Int.Array[4], Gen.Byte.Array[0, 256], ForgeVersion1));

    private static byte[] Forge(string description, int count, byte[] payload, byte valueType = 0)
    {
        var text = System.Text.Encoding.ASCII.GetBytes(description);
        var bytes = new byte[WeightCodec.HeaderSize + text.Length + payload.Length];
        "MLAW"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), WeightCodec.FormatVersion);
        bytes[6] = valueType;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), count);
        text.CopyTo(bytes, WeightCodec.HeaderSize);
        payload.CopyTo(bytes, WeightCodec.HeaderSize + text.Length);
        SHA256.HashData(bytes.AsSpan(WeightCodec.HeaderSize), bytes.AsSpan(WeightCodec.ChecksumOffset, 32));
        return bytes;
    }

    private static byte[] ForgeVersion1(byte architecture, int[] dimensions, byte[] payload)
    {
        var bytes = new byte[56 + payload.Length];
        "MLAW"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 1);
        bytes[6] = architecture;
        for (var i = 0; i < 4; i++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8 + 4 * i), dimensions[i]);
        payload.CopyTo(bytes, 56);
        SHA256.HashData(payload, bytes.AsSpan(24, 32));
        return bytes;
    }

    /// <summary>A valid description and its parameter count, up to 2²⁶ parameters, over a payload shorter than they need.</summary>
    private static readonly Gen<byte[]> Overclaiming = Gen.Select(Gen.Int[1, 1 << 16], Gen.Int[2, 1 << 10], Gen.Byte.Array[0, 256], (inputs, classes, payload) =>
    {
        var count = (long)inputs * classes + classes;
        return count <= ModelShape.MaxParameters
            ? Forge(ModelShape.LogisticRegression(inputs, classes).Description, (int)count, payload)
            : Forge(ModelShape.LogisticRegression(1, 2).Description, 4, []);
    });

    private static void DecodesCanonicallyOrRejects(byte[] bytes)
    {
        ModelWeights? decoded = null;
        if (!HostileInput.Decodes<InvalidWeightsException>(() => decoded = WeightCodec.Decode(bytes))) return;
        if (bytes[4] == 1) // version 1 decodes to the model it named, written back as version 2
            Assert.Equal(decoded!.Values.ToArray(), WeightCodec.Decode(WeightCodec.Encode(decoded)).Values.ToArray());
        else
            Assert.Equal(bytes, WeightCodec.Encode(decoded!, WeightCodec.PrecisionOf(bytes)));
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
        Gen.Select(Weights, Gen.Int, Gen.OneOf(Gen.Const(float.NaN), Gen.Const(float.PositiveInfinity), Gen.Const(float.NegativeInfinity))).Sample((weights, index, poison) =>
        {
            var bytes = WeightCodec.Encode(weights);
            var payload = bytes.AsSpan(WeightCodec.HeaderSizeFor(weights.Shape));
            BinaryPrimitives.WriteSingleLittleEndian(payload[(int)((uint)index % (uint)(payload.Length / 4) * 4)..], poison);
            SHA256.HashData(bytes.AsSpan(WeightCodec.HeaderSize), bytes.AsSpan(WeightCodec.ChecksumOffset, 32));
            Assert.Throws<InvalidWeightsException>(() => WeightCodec.Decode(bytes));
        }, iter: 300);

    // The decoder allocates the values (4 bytes per 4 payload bytes) only once the payload is exactly as long as the
    // header says and its checksum matches: 1 byte per input byte, plus the model objects and a rejection (under 8 KiB). Parsing the description, at most 1 KiB and only as
    // many bytes as are present, costs its strings, layers and the rejection message that quotes it: a bounded amount
    // per description byte. A header declaring 2³¹ parameters over 200 bytes allocates no more than its description.
    private const int PerDescriptionByte = 48;

    private static int DescriptionBytes(byte[] bytes) => bytes.Length < WeightCodec.HeaderSize || bytes[4] != WeightCodec.FormatVersion ? 0
        : Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), bytes.Length - WeightCodec.HeaderSize);
    [Fact]
    public void Decoding_allocates_at_most_1_byte_per_input_byte_plus_its_description_and_8_KiB()
    {
        HostileInput.WarmUp<InvalidWeightsException>(b => WeightCodec.Decode(b), [], Encoded.Single(), ForgedHeaders.Single());
        Gen.OneOf(Gen.Byte.Array[0, 200], ForgedHeaders, Mutations.Of(Encoded), Encoded).Sample(bytes =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => HostileInput.Decodes<InvalidWeightsException>(() => WeightCodec.Decode(bytes)));
            HostileInput.AssertAllocationWithin(allocated - PerDescriptionByte * DescriptionBytes(bytes), bytes.Length, 1, 8192, "WeightCodec.Decode");
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void A_header_declaring_more_parameters_than_the_payload_holds_is_refused_allocating_under_8_KiB()
    {
        HostileInput.WarmUp<InvalidWeightsException>(b => WeightCodec.Decode(b), Overclaiming.Single());
        Overclaiming.Sample(bytes =>
        {
            InvalidWeightsException? refusal = null;
            var allocated = HostileInput.BytesAllocatedBy(() => refusal = Assert.Throws<InvalidWeightsException>(() => WeightCodec.Decode(bytes)));
            Assert.Contains("truncated", refusal!.Message);
            HostileInput.AssertAllocationWithin(allocated - PerDescriptionByte * DescriptionBytes(bytes), bytes.Length, 0, 8192, "WeightCodec.Decode of an overclaiming header");
        }, iter: 500, threads: 1);
    }
}
