using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MlAspire.Tangle.Learning;

/// <summary>Reads format version 1 (see <see cref="WeightCodec"/>): logistic regression or a one-hidden-layer MLP.</summary>
internal static class WeightCodecVersion1
{
    private const int HeaderSize = 56;
    private const int ArchitectureOffset = 6;
    private const int ReservedOffset = 7;
    private const int InputsOffset = 8;
    private const int HiddenOffset = 12;
    private const int ClassesOffset = 16;
    private const int CountOffset = 20;
    private const int ChecksumOffset = 24;
    private const byte LogisticRegression = 1;
    private const byte Mlp = 2;

    public static ModelWeights Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize)
            throw WeightCodec.Invalid($"truncated: {bytes.Length} bytes is shorter than the {HeaderSize}-byte version 1 header.");
        var architecture = bytes[ArchitectureOffset];
        if (architecture is not (LogisticRegression or Mlp))
            throw WeightCodec.Invalid($"unknown architecture code {architecture}.");
        if (bytes[ReservedOffset] != 0)
            throw WeightCodec.Invalid($"reserved byte is {bytes[ReservedOffset]}; it must be 0 in version 1.");
        var inputs = BinaryPrimitives.ReadInt32LittleEndian(bytes[InputsOffset..]);
        var hidden = BinaryPrimitives.ReadInt32LittleEndian(bytes[HiddenOffset..]);
        var classes = BinaryPrimitives.ReadInt32LittleEndian(bytes[ClassesOffset..]);
        var hiddenValid = architecture == LogisticRegression ? hidden == 0 : hidden > 0;
        if (inputs <= 0 || classes <= 1 || !hiddenValid || inputs > ActivationShape.MaxSize || hidden > 1 << 16 || classes > 1 << 16)
            throw WeightCodec.Invalid($"invalid dimensions {inputs}/{hidden}/{classes} (inputs/hidden/classes).");
        var parameters = architecture == LogisticRegression ? (long)inputs * classes + classes : (long)inputs * hidden + hidden + (long)hidden * classes + classes;
        if (parameters > ModelShape.MaxParameters)
            throw WeightCodec.Invalid($"{inputs}/{hidden}/{classes} (inputs/hidden/classes) has more than {ModelShape.MaxParameters:N0} parameters.");
        ModelShape shape;
        try
        {
            shape = architecture == LogisticRegression ? ModelShape.LogisticRegression(inputs, classes) : ModelShape.Mlp(inputs, hidden, classes);
        }
        catch (FormatException e)
        {
            throw WeightCodec.Invalid(e.Message);
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[CountOffset..]);
        if (count != shape.ParameterCount)
            throw WeightCodec.Invalid($"header declares {count} parameters but {inputs}/{hidden}/{classes} (inputs/hidden/classes) has {shape.ParameterCount}.");
        var payload = bytes[HeaderSize..];
        WeightCodec.CheckPayloadLength(payload, count);
        Span<byte> checksum = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, checksum);
        if (!checksum.SequenceEqual(bytes.Slice(ChecksumOffset, SHA256.HashSizeInBytes)))
            throw WeightCodec.Invalid("payload checksum mismatch: the weights were corrupted or altered.");
        return WeightCodec.ReadValues(shape, payload);
    }
}
