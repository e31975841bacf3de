using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// The versioned binary weight format, all integers little-endian. Version 2, which every encoder writes:
/// <code>
/// offset size field
///      0    4 magic "MLAW"
///      4    2 format version (u16) = 2
///      6    1 value type: 0 float32, 1 float16 (WeightPrecision)
///      7    1 reserved, must be 0
///      8    2 description length d (u16, at most ModelShape.MaxDescriptionLength)
///     10    4 parameter count n (i32)
///     14   32 SHA-256 of the description and the payload
///     46    d the model's description (ASCII, canonical: ModelShape.Description)
///   46+d  s·n payload: n values of s = 4 (float32) or 2 (float16) bytes
/// </code>
/// Version 1 (read, never written) had a fixed 56-byte header naming one of two architectures:
/// <code>
///      0    4 magic "MLAW"        4  2 version = 1       6  1 architecture (1 logistic regression, 2 MLP)
///      7    1 reserved = 0        8  4 inputs           12  4 hidden (0 for logistic regression)
///     16    4 classes            20  4 parameter count  24 32 SHA-256 of the payload     56 4·n payload
/// </code>
/// Weights stored or published before version 2 keep their content address and still decode to the same model.
/// Decoding checks everything and throws <see cref="InvalidWeightsException"/> naming the first problem found.
/// </summary>
public static class WeightCodec
{
    public const ushort FormatVersion = 2;

    private static ReadOnlySpan<byte> Magic => "MLAW"u8;

    private const int VersionOffset = 4;
    private const int ValueTypeOffset = 6;
    private const int ReservedOffset = 7;
    private const int DescriptionLengthOffset = 8;
    private const int CountOffset = 10;

    /// <summary>Where the SHA-256 of everything after the fixed header is.</summary>
    public const int ChecksumOffset = 14;

    /// <summary>The fixed header, before the model's description.</summary>
    public const int HeaderSize = 46;

    /// <summary>The bytes before the payload of <paramref name="shape"/>'s weights.</summary>
    public static int HeaderSizeFor(ModelShape shape) => HeaderSize + Encoding.ASCII.GetByteCount(shape.Description);

    /// <summary>The encoded size of <paramref name="shape"/>'s weights at <paramref name="precision"/>.</summary>
    public static long EncodedSize(ModelShape shape, WeightPrecision precision = WeightPrecision.Float32) =>
        HeaderSizeFor(shape) + (long)shape.ParameterCount * ValueSize(precision);

    /// <param name="precision">Float16 halves the size; each value is rounded as <see cref="WeightPrecisions.Transported"/> rounds it.</param>
    public static byte[] Encode(ModelWeights weights, WeightPrecision precision = WeightPrecision.Float32)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var description = Encoding.ASCII.GetBytes(weights.Shape.Description);
        var values = weights.Values;
        var bytes = new byte[EncodedSize(weights.Shape, precision)];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[VersionOffset..], FormatVersion);
        span[ValueTypeOffset] = (byte)precision;
        BinaryPrimitives.WriteUInt16LittleEndian(span[DescriptionLengthOffset..], (ushort)description.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[CountOffset..], values.Length);
        description.CopyTo(span[HeaderSize..]);
        var payload = span[(HeaderSize + description.Length)..];
        if (precision == WeightPrecision.Float16)
            for (var i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteHalfLittleEndian(payload[(i * 2)..], WeightPrecisions.ToHalf(values[i]));
        else
            for (var i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(payload[(i * sizeof(float))..], values[i]);
        SHA256.HashData(span[HeaderSize..], span.Slice(ChecksumOffset, SHA256.HashSizeInBytes));
        return bytes;
    }

    /// <summary>The value type of encoded weights (version 1 was always float32); call on bytes that decode.</summary>
    public static WeightPrecision PrecisionOf(ReadOnlySpan<byte> bytes) =>
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[VersionOffset..]) == FormatVersion ? (WeightPrecision)bytes[ValueTypeOffset] : WeightPrecision.Float32;

    private static int ValueSize(WeightPrecision precision) => precision == WeightPrecision.Float16 ? 2 : sizeof(float);

    public static ModelWeights Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < VersionOffset + 2)
            throw Invalid($"truncated: {bytes.Length} bytes is shorter than any header.");
        if (!bytes[..Magic.Length].SequenceEqual(Magic))
            throw Invalid($"bad magic {Convert.ToHexString(bytes[..Magic.Length])}; expected {Convert.ToHexString(Magic)} (\"MLAW\").");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[VersionOffset..]);
        return version switch
        {
            FormatVersion => DecodeVersion2(bytes),
            1 => WeightCodecVersion1.Decode(bytes),
            _ => throw Invalid($"unsupported format version {version}; this reader understands versions 1 and {FormatVersion}."),
        };
    }

    private static ModelWeights DecodeVersion2(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize)
            throw Invalid($"truncated: {bytes.Length} bytes is shorter than the {HeaderSize}-byte header.");
        var precision = (WeightPrecision)bytes[ValueTypeOffset];
        if (!Enum.IsDefined(precision))
            throw Invalid($"unknown value type {bytes[ValueTypeOffset]}; expected 0 (float32) or 1 (float16).");
        if (bytes[ReservedOffset] != 0)
            throw Invalid($"reserved byte is {bytes[ReservedOffset]}; it must be 0 in version {FormatVersion}.");
        var descriptionLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[DescriptionLengthOffset..]);
        if (descriptionLength is 0 or > ModelShape.MaxDescriptionLength)
            throw Invalid($"a model description of {descriptionLength} bytes; it must have 1 to {ModelShape.MaxDescriptionLength}.");
        if (bytes.Length < HeaderSize + descriptionLength)
            throw Invalid($"truncated: {bytes.Length} bytes end inside the {descriptionLength}-byte model description.");
        var descriptionBytes = bytes.Slice(HeaderSize, descriptionLength);
        if (descriptionBytes.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
            throw Invalid("the model description holds bytes outside printable ASCII.");
        var description = Encoding.ASCII.GetString(descriptionBytes);
        ModelShape shape;
        try
        {
            shape = ModelShape.Parse(description);
        }
        catch (FormatException e)
        {
            throw Invalid(e.Message);
        }
        if (shape.Description != description)
            throw Invalid($"the model description is not in canonical form; it would read '{shape.Description}'.");
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[CountOffset..]);
        if (count != shape.ParameterCount)
            throw Invalid($"header declares {count} parameters but {shape} has {shape.ParameterCount}.");
        var payload = bytes[(HeaderSize + descriptionLength)..];
        CheckPayloadLength(payload, count, ValueSize(precision));
        Span<byte> checksum = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[HeaderSize..], checksum);
        if (!checksum.SequenceEqual(bytes.Slice(ChecksumOffset, SHA256.HashSizeInBytes)))
            throw Invalid("checksum mismatch: the weights were corrupted or altered.");
        if (precision == WeightPrecision.Float32)
            return ReadValues(shape, payload);
        var values = new float[shape.ParameterCount];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(payload[(i * 2)..]);
        return new ModelWeights(shape, values);
    }

    internal static void CheckPayloadLength(ReadOnlySpan<byte> payload, int count, int valueSize = sizeof(float))
    {
        var payloadSize = (long)count * valueSize;
        if (payload.Length < payloadSize)
            throw Invalid($"truncated: payload has {payload.Length} bytes but {count} parameters need {payloadSize}.");
        if (payload.Length > payloadSize)
            throw Invalid($"{payload.Length - payloadSize} trailing bytes after the {payloadSize}-byte payload.");
    }

    /// <summary>The payload's values; <see cref="ModelWeights"/> rejects non-finite ones, which a correct checksum does not rule out.</summary>
    internal static ModelWeights ReadValues(ModelShape shape, ReadOnlySpan<byte> payload)
    {
        var values = new float[shape.ParameterCount];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(payload[(i * sizeof(float))..]);
        return new ModelWeights(shape, values);
    }

    internal static InvalidWeightsException Invalid(string problem) => new($"Invalid encoded weights: {problem}");
}
