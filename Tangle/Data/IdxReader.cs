using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics.Tensors;

namespace MlAspire.Tangle.Data;

/// <summary>
/// Reads MNIST-style IDX files (big-endian header, unsigned-byte data) from streams the caller opened,
/// gzip-compressed or not. Anything malformed throws <see cref="InvalidDataException"/> saying what is wrong.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;
    public const int DigitClasses = 10;

    /// <summary>A dataset of the images (pixels scaled to [0, 1]) and their labels, each below <paramref name="classCount"/>.</summary>
    public static Dataset Read(Stream images, Stream labels, int classCount = DigitClasses)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        var (pixels, pixelsPerImage, imageCount) = ReadImages(ReadAll(images));
        var labelBytes = ParseLabels(ReadAll(labels), classCount);
        if (labelBytes.Length != imageCount)
            throw new InvalidDataException($"IDX count mismatch: the images file has {imageCount} images but the labels file has {labelBytes.Length} labels.");

        var features = new float[pixels.Length];
        TensorPrimitives.ConvertChecked<byte, float>(pixels.Span, features);
        TensorPrimitives.Divide(features, 255f, features);
        return new Dataset(features, labelBytes, pixelsPerImage, classCount);
    }

    /// <summary>The labels alone, for callers that need to know who holds what but not the images (the Bootstrap).</summary>
    public static byte[] ReadLabels(Stream labels, int classCount = DigitClasses)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return ParseLabels(ReadAll(labels), classCount);
    }

    private static (ReadOnlyMemory<byte> Pixels, int PixelsPerImage, int Count) ReadImages(byte[] file)
    {
        const int headerSize = 16;
        RequireMagic(file, ImagesMagic, "images");
        RequireHeader(file, headerSize, "images");
        var count = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(4));
        var rows = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(12));
        if (count < 0 || rows <= 0 || columns <= 0 || (long)rows * columns > int.MaxValue)
            throw new InvalidDataException($"IDX images header has invalid dimensions {count} × {rows} × {columns}.");
        RequireSize(file, headerSize, (long)count * rows * columns, $"{count} images of {rows} × {columns} pixels", "images");
        return (file.AsMemory(headerSize), rows * columns, count);
    }

    private static byte[] ParseLabels(byte[] file, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        const int headerSize = 8;
        RequireMagic(file, LabelsMagic, "labels");
        RequireHeader(file, headerSize, "labels");
        var count = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(4));
        if (count < 0)
            throw new InvalidDataException($"IDX labels header has a negative count {count}.");
        RequireSize(file, headerSize, count, $"{count} labels", "labels");
        var labels = file.AsSpan(headerSize).ToArray();
        for (var i = 0; i < labels.Length; i++)
            if (labels[i] >= classCount)
                throw new InvalidDataException(classCount == DigitClasses
                    ? $"IDX label {i} is {labels[i]}; digit labels must be 0..{DigitClasses - 1}."
                    : $"IDX label {i} is {labels[i]}; labels must be 0..{classCount - 1}.");
        return labels;
    }

    private static void RequireHeader(byte[] file, int headerSize, string kind)
    {
        if (file.Length < headerSize)
            throw new InvalidDataException($"IDX {kind} file is truncated: {file.Length} bytes is shorter than its {headerSize}-byte header.");
    }

    private static void RequireMagic(byte[] file, int expected, string kind)
    {
        RequireHeader(file, sizeof(int), kind);
        var magic = BinaryPrimitives.ReadInt32BigEndian(file);
        if (magic != expected)
            throw new InvalidDataException($"IDX {kind} file has magic number 0x{magic:X8}; expected 0x{expected:X8}.");
    }

    private static void RequireSize(byte[] file, int headerSize, long dataSize, string declared, string kind)
    {
        var actual = file.Length - headerSize;
        if (actual < dataSize)
            throw new InvalidDataException($"IDX {kind} file is truncated: its header declares {declared} ({dataSize} bytes) but only {actual} bytes follow.");
        if (actual > dataSize)
            throw new InvalidDataException($"IDX {kind} file has {actual - dataSize} unexpected trailing bytes after {declared}.");
    }

    /// <summary>The whole stream, decompressed if it starts with the gzip magic 1f 8b.</summary>
    private static byte[] ReadAll(Stream stream)
    {
        using var raw = new MemoryStream();
        CopyAtMost(stream, raw, MaxFileBytes);
        var bytes = raw.GetBuffer().AsSpan(0, (int)raw.Length);
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes.ToArray();

        raw.Position = 0;
        using var gzip = new GZipStream(raw, CompressionMode.Decompress);
        // Inflate the header, then no more than it declares and one byte to notice trailing data: a small file
        // claiming little cannot inflate to gigabytes.
        var header = new byte[16];
        var headerLength = Inflate(() => gzip.ReadAtLeast(header, header.Length, throwOnEndOfStream: false));
        var declared = DeclaredSize(header.AsSpan(0, headerLength));
        if (declared > MaxFileBytes)
            throw new InvalidDataException($"IDX file declares {declared} bytes; at most {MaxFileBytes} are read.");
        var file = new byte[Math.Max(headerLength, declared) + (headerLength < header.Length ? 0 : 1)];
        header.AsSpan(0, headerLength).CopyTo(file);
        var length = headerLength + (file.Length > headerLength ? Inflate(() => gzip.ReadAtLeast(file.AsSpan(headerLength), file.Length - headerLength, throwOnEndOfStream: false)) : 0);
        return file[..length];
    }

    private static int Inflate(Func<int> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file is not valid gzip: {e.Message}", e);
        }
    }

    private static void CopyAtMost(Stream source, Stream destination, long limit)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            if ((total += read) > limit)
                throw new InvalidDataException($"IDX file is larger than the {limit} bytes read at most.");
            destination.Write(buffer, 0, read);
        }
    }

    /// <summary>
    /// Largest IDX file read or inflated (Fashion-MNIST's training images are 47 MB): as floats, 1 GiB, the most any
    /// dataset may hold (Storage's dataset formats).
    /// </summary>
    private const long MaxFileBytes = 1L << 28;

    /// <summary>Header plus data bytes the (possibly short) header declares; 0 when it is no IDX header this reader knows.</summary>
    private static long DeclaredSize(ReadOnlySpan<byte> header)
    {
        if (header.Length < 8) return 0;
        var count = (long)BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        return BinaryPrimitives.ReadInt32BigEndian(header) switch
        {
            LabelsMagic => 8 + Math.Max(0, count),
            ImagesMagic when header.Length >= 16 => 16 + Math.Max(0, count) * Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(header[8..])) * Math.Max(0L, BinaryPrimitives.ReadInt32BigEndian(header[12..])),
            _ => 0,
        };
    }
}
