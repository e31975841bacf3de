using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// The versioned binary weight format, all integers little-endian:
/// <code>
/// offset size field
///      0    4 magic "MLAW"
///      4    2 format version (u16) = 1
///      6    1 architecture (u8, ModelArchitecture)
///      7    1 reserved, must be 0
///      8    4 inputs (i32)
///     12    4 hidden (i32; 0 for logistic regression)
///     16    4 classes (i32)
///     20    4 parameter count (i32)
///     24   32 SHA-256 of the payload
///     56  4·n payload: n float32 values
/// </code>
/// Decoding checks everything and throws <see cref="InvalidWeightsException"/> naming the first problem found.
/// </summary>
public static class WeightCodec
{
    public const ushort FormatVersion = 1;
    public const int HeaderSize = 56;

    private static ReadOnlySpan<byte> Magic => "MLAW"u8;

    private const int VersionOffset = 4;
    private const int ArchitectureOffset = 6;
    private const int ReservedOffset = 7;
    private const int InputsOffset = 8;
    private const int HiddenOffset = 12;
    private const int ClassesOffset = 16;
    private const int CountOffset = 20;
    private const int ChecksumOffset = 24;

    public static byte[] Encode(ModelWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var shape = weights.Shape;
        var values = weights.Values;
        var bytes = new byte[HeaderSize + values.Length * sizeof(float)];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[VersionOffset..], FormatVersion);
        span[ArchitectureOffset] = (byte)shape.Architecture;
        span[ReservedOffset] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(span[InputsOffset..], shape.Inputs);
        BinaryPrimitives.WriteInt32LittleEndian(span[HiddenOffset..], shape.Hidden);
        BinaryPrimitives.WriteInt32LittleEndian(span[ClassesOffset..], shape.Classes);
        BinaryPrimitives.WriteInt32LittleEndian(span[CountOffset..], values.Length);
        var payload = span[HeaderSize..];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(payload[(i * sizeof(float))..], values[i]);
        SHA256.HashData(payload, span.Slice(ChecksumOffset, SHA256.HashSizeInBytes));
        return bytes;
    }

    public static ModelWeights Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize)
            throw Invalid($"truncated: {bytes.Length} bytes is shorter than the {HeaderSize}-byte header.");
        if (!bytes[..Magic.Length].SequenceEqual(Magic))
            throw Invalid($"bad magic {Convert.ToHexString(bytes[..Magic.Length])}; expected {Convert.ToHexString(Magic)} (\"MLAW\").");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[VersionOffset..]);
        if (version != FormatVersion)
            throw Invalid($"unsupported format version {version}; this reader understands version {FormatVersion}.");
        var architecture = (ModelArchitecture)bytes[ArchitectureOffset];
        if (!Enum.IsDefined(architecture))
            throw Invalid($"unknown architecture code {bytes[ArchitectureOffset]}.");
        if (bytes[ReservedOffset] != 0)
            throw Invalid($"reserved byte is {bytes[ReservedOffset]}; it must be 0 in version {FormatVersion}.");

        var inputs = BinaryPrimitives.ReadInt32LittleEndian(bytes[InputsOffset..]);
        var hidden = BinaryPrimitives.ReadInt32LittleEndian(bytes[HiddenOffset..]);
        var classes = BinaryPrimitives.ReadInt32LittleEndian(bytes[ClassesOffset..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[CountOffset..]);
        var expectedCount = ExpectedParameterCount(architecture, inputs, hidden, classes);
        if (count != expectedCount)
            throw Invalid($"header declares {count} parameters but {architecture} {inputs}/{hidden}/{classes} (inputs/hidden/classes) has {expectedCount}.");
        var shape = new ModelShape(architecture, inputs, hidden, classes);

        var payload = bytes[HeaderSize..];
        var payloadSize = (long)count * sizeof(float);
        if (payload.Length < payloadSize)
            throw Invalid($"truncated: payload has {payload.Length} bytes but {count} parameters need {payloadSize}.");
        if (payload.Length > payloadSize)
            throw Invalid($"{payload.Length - payloadSize} trailing bytes after the {payloadSize}-byte payload.");

        Span<byte> checksum = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, checksum);
        if (!checksum.SequenceEqual(bytes.Slice(ChecksumOffset, SHA256.HashSizeInBytes)))
            throw Invalid("payload checksum mismatch: the weights were corrupted or altered.");

        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(payload[(i * sizeof(float))..]);
        // ModelWeights rejects non-finite values, which a correct checksum does not rule out.
        return new ModelWeights(shape, values);
    }

    /// <summary>
    /// <see cref="ModelShape.ParameterCount"/> computed in 64 bits: dimensions read from untrusted bytes
    /// must not wrap around to a count that happens to match.
    /// </summary>
    private static long ExpectedParameterCount(ModelArchitecture architecture, int inputs, int hidden, int classes)
    {
        var hiddenValid = architecture == ModelArchitecture.LogisticRegression ? hidden == 0 : hidden > 0;
        if (inputs <= 0 || classes <= 0 || !hiddenValid)
            throw Invalid($"invalid dimensions {inputs}/{hidden}/{classes} (inputs/hidden/classes) for {architecture}.");
        return architecture == ModelArchitecture.LogisticRegression
            ? (long)inputs * classes + classes
            : (long)inputs * hidden + hidden + (long)hidden * classes + classes;
    }

    private static InvalidWeightsException Invalid(string problem) => new($"Invalid encoded weights: {problem}");
}
