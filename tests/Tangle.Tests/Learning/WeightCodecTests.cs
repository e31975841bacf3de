using System.Buffers.Binary;
using System.Security.Cryptography;
using MlAspire.Tangle.Learning;
using MlAspire.Tests.Shared;

namespace MlAspire.Tangle.Tests.Learning;

public class WeightCodecTests
{
    private static ModelWeights MlpWeights() => Models.Create(ModelShape.Mlp(5, 3, 2)).Initialize(new Random(9));

    private static ModelWeights CnnWeights() =>
        Models.Create(ModelShape.Parse("input:2x6x6, conv2d:3x3x4, relu, maxpool:2, flatten, dense:3, softmax")).Initialize(new Random(4));

    private static byte[] EncodeVersion1(ModelWeights weights, int inputs, int hidden, int classes) => WeightsVersion1.Encode(weights, inputs, hidden, classes);

    private static InvalidWeightsException DecodeFails(byte[] bytes) =>
        Assert.Throws<InvalidWeightsException>(() => WeightCodec.Decode(bytes));

    [Fact]
    public void Round_trip_preserves_shape_and_values()
    {
        foreach (var weights in new[] { MlpWeights(), Models.Create(ModelShape.LogisticRegression(7, 3)).Initialize(new Random(1)), CnnWeights() })
        {
            var bytes = WeightCodec.Encode(weights);
            var decoded = WeightCodec.Decode(bytes);

            Assert.Equal(WeightCodec.HeaderSize + weights.Shape.Description.Length + 4 * weights.Values.Length, bytes.Length);
            Assert.Equal(weights.Shape, decoded.Shape);
            Assert.Equal(weights.Values.ToArray(), decoded.Values.ToArray());
        }
    }

    [Fact]
    public void Layout_is_little_endian_with_the_documented_header()
    {
        var shape = ModelShape.LogisticRegression(1, 2);
        var values = new float[shape.ParameterCount];
        values[0] = 1f;
        var bytes = WeightCodec.Encode(new ModelWeights(shape, values));
        var description = "input:1, dense:2, softmax"u8.ToArray();

        Assert.Equal("MLAW"u8.ToArray(), bytes[..4]);
        Assert.Equal([2, 0, 0, 0], bytes[4..8]); // version 2, float32, reserved
        Assert.Equal([(byte)description.Length, 0, 4, 0, 0, 0], bytes[8..14]); // description length, parameter count
        Assert.Equal(SHA256.HashData(bytes.AsSpan(46)), bytes[14..46]);
        Assert.Equal(description, bytes[46..(46 + description.Length)]);
        Assert.Equal([0x00, 0x00, 0x80, 0x3F], bytes[(46 + description.Length)..(50 + description.Length)]); // 1.0f

        var half = WeightCodec.Encode(new ModelWeights(shape, values), WeightPrecision.Float16);
        Assert.Equal(1, half[6]); // float16
        Assert.Equal([0x00, 0x3C, 0x00, 0x00], half[(46 + description.Length)..(50 + description.Length)]); // 1.0 and 0.0 as halves
        Assert.Equal(bytes.Length - 2 * values.Length, half.Length);
    }

    [Fact]
    public void Float16_weights_decode_to_the_values_a_peer_receives_and_saturate_instead_of_overflowing()
    {
        var shape = ModelShape.LogisticRegression(2, 2);
        float[] values = [0.1f, -3.14159f, 70_000f, -1e9f, 1e-8f, 2f];
        var weights = new ModelWeights(shape, values);

        var decoded = WeightCodec.Decode(WeightCodec.Encode(weights, WeightPrecision.Float16));

        Assert.Equal(weights.Transported(WeightPrecision.Float16).Values.ToArray(), decoded.Values.ToArray());
        Assert.Equal([65504f, -65504f], decoded.Values[2..4].ToArray());
        Assert.Equal(WeightPrecision.Float16, WeightCodec.PrecisionOf(WeightCodec.Encode(weights, WeightPrecision.Float16)));
    }

    [Fact]
    public void Version_1_still_decodes_to_the_same_model_and_values()
    {
        var mlp = MlpWeights();
        var logreg = Models.Create(ModelShape.LogisticRegression(7, 3)).Initialize(new Random(1));
        foreach (var (weights, bytes) in new[] { (mlp, EncodeVersion1(mlp, 5, 3, 2)), (logreg, EncodeVersion1(logreg, 7, 0, 3)) })
        {
            var decoded = WeightCodec.Decode(bytes);
            Assert.Equal(weights.Shape, decoded.Shape);
            Assert.Equal(weights.Values.ToArray(), decoded.Values.ToArray());
            Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(WeightCodec.Encode(decoded).AsSpan(4))); // written back as version 2
        }
    }

    [Fact]
    public void Version_1_headers_are_checked_as_before()
    {
        var good = EncodeVersion1(MlpWeights(), 5, 3, 2);
        byte[] With(Action<byte[]> change)
        {
            var bytes = (byte[])good.Clone();
            change(bytes);
            return bytes;
        }
        Assert.Contains("architecture", DecodeFails(With(b => b[6] = 9)).Message);
        Assert.Contains("reserved", DecodeFails(With(b => b[7] = 1)).Message);
        Assert.Contains("declares 7 parameters", DecodeFails(With(b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(20), 7))).Message);
        Assert.Contains("parameters", DecodeFails(With(b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), 6))).Message);
        Assert.Contains("dimensions", DecodeFails(With(b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), int.MaxValue))).Message);
        Assert.Contains("dimensions", DecodeFails(With(b => BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), -2))).Message);
        Assert.Contains("checksum", DecodeFails(With(b => b[^1] ^= 1)).Message);
        Assert.Contains("truncated", DecodeFails(good[..40]).Message);
    }

    [Fact]
    public void Flipped_payload_byte_fails_the_checksum()
    {
        var bytes = WeightCodec.Encode(MlpWeights());
        bytes[^3] ^= 0x10;
        Assert.Contains("checksum", DecodeFails(bytes).Message);
    }

    [Fact]
    public void Truncated_data_is_rejected()
    {
        var bytes = WeightCodec.Encode(MlpWeights());
        Assert.Contains("truncated", DecodeFails(bytes[..^1]).Message);
        Assert.Contains("truncated", DecodeFails(bytes[..20]).Message);
        Assert.Contains("truncated", DecodeFails([]).Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        Assert.Contains("trailing", DecodeFails([.. WeightCodec.Encode(MlpWeights()), 0]).Message);
    }

    [Fact]
    public void Bad_magic_is_rejected()
    {
        var bytes = WeightCodec.Encode(MlpWeights());
        bytes[0] = (byte)'X';
        Assert.Contains("magic", DecodeFails(bytes).Message);
    }

    [Fact]
    public void Unknown_version_is_rejected()
    {
        var bytes = WeightCodec.Encode(MlpWeights());
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 3);
        Assert.Contains("version 3", DecodeFails(bytes).Message);
    }

    [Fact]
    public void A_description_that_is_malformed_oversized_or_not_canonical_is_rejected()
    {
        byte[] WithDescription(string description, int? declaredLength = null)
        {
            var weights = MlpWeights();
            var good = WeightCodec.Encode(weights);
            var text = System.Text.Encoding.Latin1.GetBytes(description);
            byte[] bytes = [.. good[..46], .. text, .. good[(46 + weights.Shape.Description.Length)..]];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(declaredLength ?? text.Length));
            SHA256.HashData(bytes.AsSpan(46), bytes.AsSpan(14, 32));
            return bytes;
        }
        Assert.Contains("unknown layer", DecodeFails(WithDescription("input:5, dense:3, tanh, dense:2, softmax")).Message);
        Assert.Contains("canonical", DecodeFails(WithDescription("input:5,dense:3,relu,dense:2,softmax")).Message);
        Assert.Contains("printable ASCII", DecodeFails(WithDescription("input:5, dense:3, relu, dense:2, softmax\u00e9")).Message);
        Assert.Contains("declares", DecodeFails(WithDescription("input:5, dense:4, relu, dense:2, softmax")).Message);
        Assert.Contains("1 to 1024", DecodeFails(WithDescription("input:5, dense:3, relu, dense:2, softmax", declaredLength: 0)).Message);
        Assert.Contains("1 to 1024", DecodeFails(WithDescription("input:5, dense:3, relu, dense:2, softmax", declaredLength: 5000)).Message);
        Assert.Contains("truncated", DecodeFails(WithDescription("input:5, dense:3, relu, dense:2, softmax")[..50]).Message);
        var good = WeightCodec.Encode(MlpWeights());
        Assert.Contains("value type 2", DecodeFails([.. good[..6], 2, .. good[7..]]).Message);
        Assert.Contains("reserved", DecodeFails([.. good[..7], 1, .. good[8..]]).Message);
    }

    [Fact]
    public void Non_finite_value_with_a_correct_checksum_is_rejected()
    {
        var bytes = WeightCodec.Encode(MlpWeights());
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(WeightCodec.HeaderSizeFor(ModelShape.Mlp(5, 3, 2)) + 8), float.NaN);
        SHA256.HashData(bytes.AsSpan(WeightCodec.HeaderSize), bytes.AsSpan(WeightCodec.ChecksumOffset, 32));

        Assert.Contains("finite", DecodeFails(bytes).Message);
    }
}
