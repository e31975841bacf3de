using System.Buffers.Binary;
using System.Security.Cryptography;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Tests.Learning;

public class WeightCodecTests
{
    private static ModelWeights MlpWeights() => new Mlp(5, 3, 2).Initialize(new Random(9));

    private static InvalidWeightsException DecodeFails(byte[] bytes) =>
        Assert.Throws<InvalidWeightsException>(() => WeightCodec.Decode(bytes));

    [Fact]
    public void Round_trip_preserves_shape_and_values()
    {
        foreach (var weights in new[] { MlpWeights(), new LogisticRegression(7, 3).Initialize(new Random(1)) })
        {
            var bytes = WeightCodec.Encode(weights);
            var decoded = WeightCodec.Decode(bytes);

            Assert.Equal(WeightCodec.HeaderSize + 4 * weights.Values.Length, bytes.Length);
            Assert.Equal(weights.Shape, decoded.Shape);
            Assert.Equal(weights.Values.ToArray(), decoded.Values.ToArray());
        }
    }

    [Fact]
    public void Layout_is_little_endian_with_the_documented_header()
    {
        var values = new float[ModelShape.LogisticRegression(1, 2).ParameterCount];
        values[0] = 1f;
        var bytes = WeightCodec.Encode(new ModelWeights(ModelShape.LogisticRegression(1, 2), values));

        Assert.Equal("MLAW"u8.ToArray(), bytes[..4]);
        Assert.Equal([1, 0], bytes[4..6]); // version 1
        Assert.Equal((byte)ModelArchitecture.LogisticRegression, bytes[6]);
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0], bytes[8..24]); // inputs, hidden, classes, count
        Assert.Equal(SHA256.HashData(bytes.AsSpan(56)), bytes[24..56]);
        Assert.Equal([0x00, 0x00, 0x80, 0x3F], bytes[56..60]); // 1.0f
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
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 2);
        Assert.Contains("version 2", DecodeFails(bytes).Message);
    }

    [Fact]
    public void Unknown_architecture_is_rejected()
    {
        var bytes = WeightCodec.Encode(MlpWeights());
        bytes[6] = 9;
        Assert.Contains("architecture", DecodeFails(bytes).Message);
    }

    [Fact]
    public void Header_inconsistent_with_the_shape_is_rejected()
    {
        var wrongCount = WeightCodec.Encode(MlpWeights());
        BinaryPrimitives.WriteInt32LittleEndian(wrongCount.AsSpan(20), 7);
        Assert.Contains("declares 7 parameters", DecodeFails(wrongCount).Message);

        var wrongInputs = WeightCodec.Encode(MlpWeights());
        BinaryPrimitives.WriteInt32LittleEndian(wrongInputs.AsSpan(8), 6);
        Assert.Contains("parameters", DecodeFails(wrongInputs).Message);

        var overflowing = WeightCodec.Encode(MlpWeights());
        BinaryPrimitives.WriteInt32LittleEndian(overflowing.AsSpan(8), int.MaxValue);
        Assert.Contains("declares", DecodeFails(overflowing).Message);

        var negative = WeightCodec.Encode(MlpWeights());
        BinaryPrimitives.WriteInt32LittleEndian(negative.AsSpan(16), -2);
        Assert.Contains("dimensions", DecodeFails(negative).Message);
    }

    [Fact]
    public void Non_finite_value_with_a_correct_checksum_is_rejected()
    {
        var bytes = WeightCodec.Encode(MlpWeights());
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(WeightCodec.HeaderSize + 8), float.NaN);
        SHA256.HashData(bytes.AsSpan(WeightCodec.HeaderSize), bytes.AsSpan(24, 32));

        Assert.Contains("finite", DecodeFails(bytes).Message);
    }
}
