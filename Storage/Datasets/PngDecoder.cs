using System.Buffers.Binary;
using System.IO.Compression;

namespace MlAspire.Storage.Datasets;

/// <summary>An image's pixels, one plane per channel (channels first): 1 channel for greyscale, 3 for colour.</summary>
public sealed record PngImage(int Width, int Height, int Channels, byte[] Planes)
{
    /// <summary>The pixels scaled to [0, 1], as a sample's features.</summary>
    public float[] ToFeatures() => [.. Planes.Select(value => value / 255f)];

    public override string ToString() => $"{Width} × {Height} {(Channels == 1 ? "greyscale" : "RGB")}";
}

/// <summary>
/// Decodes the PNG files of a dataset folder: 8 bits per channel, greyscale, greyscale with alpha, RGB, RGBA or a
/// palette, not interlaced (what image tools write for datasets). Alpha is dropped (shapes drawn only in alpha vanish). Checksums are verified, and the
/// image data is inflated only up to the size the header declares, so a crafted file costs no more than its pixels.
/// Anything malformed or unsupported throws <see cref="InvalidDataException"/> saying what.
/// </summary>
public static class PngDecoder
{
    /// <summary>
    /// Largest width or height accepted. Dataset images are small; at this bound one RGBA image inflates to 4 MiB and
    /// decodes through about 12 MiB, so a header cannot make a small file cost much.
    /// </summary>
    public const int MaxSide = 1024;

    /// <summary>Largest file accepted: an uncompressed RGBA image of <see cref="MaxSide"/> squared is 4 MiB.</summary>
    public const int MaxFileBytes = 16 << 20;

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private enum ColourType : byte { Grey = 0, Rgb = 2, Palette = 3, GreyAlpha = 4, Rgba = 6 }

    /// <summary>The image in <paramref name="path"/>; errors name the file, and a file over <see cref="MaxFileBytes"/> is not read.</summary>
    public static PngImage DecodeFile(string path)
    {
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes)
                throw new InvalidDataException($"the file is larger than the {MaxFileBytes} bytes an image may have.");
            return Decode(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    public static PngImage Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length > MaxFileBytes)
            throw new InvalidDataException($"PNG file has {file.Length} bytes; at most {MaxFileBytes} are accepted (images up to {MaxSide} × {MaxSide}).");
        if (!file.StartsWith(Signature))
            throw new InvalidDataException("Not a PNG file: the 8-byte signature is missing.");
        var position = Signature.Length;
        (int Width, int Height, ColourType Colour)? header = null;
        byte[]? palette = null;
        using var compressed = new MemoryStream();
        while (true)
        {
            if (file.Length - position < 12)
                throw new InvalidDataException("PNG file is truncated: it ends before its IEND chunk.");
            var length = BinaryPrimitives.ReadUInt32BigEndian(file[position..]);
            if (length > (uint)(file.Length - position - 12))
                throw new InvalidDataException($"PNG chunk at byte {position} declares {length} bytes, more than the file holds.");
            var typeAndData = file.Slice(position + 4, 4 + (int)length);
            var type = System.Text.Encoding.ASCII.GetString(typeAndData[..4]);
            var data = typeAndData[4..];
            if (Crc32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(file[(position + 8 + (int)length)..]))
                throw new InvalidDataException($"PNG chunk {type} at byte {position} fails its checksum: the file is corrupt.");
            position += 12 + (int)length;
            if (header is null && type != "IHDR")
                throw new InvalidDataException($"PNG file starts with chunk {type}; IHDR must come first.");
            switch (type)
            {
                case "IHDR" when header is null:
                    header = ReadHeader(data);
                    break;
                case "PLTE":
                    if (data.Length % 3 != 0 || data.Length > 3 * 256)
                        throw new InvalidDataException($"PNG palette has {data.Length} bytes; expected up to 256 RGB entries.");
                    palette = data.ToArray();
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    var (width, height, colour) = header!.Value;
                    if (colour == ColourType.Palette && palette is null)
                        throw new InvalidDataException("PNG palette image has no PLTE chunk.");
                    var samples = Inflate(compressed, width, height, BytesPerPixel(colour));
                    return ToPlanes(samples, width, height, colour, palette);
                default:
                    // Bit 5 of the first letter marks an ancillary chunk, which a decoder may skip; a critical one it does not know it may not.
                    if ((typeAndData[0] & 0x20) == 0)
                        throw new InvalidDataException($"PNG file has critical chunk {type}, which this decoder does not know or allows only once.");
                    break;
            }
        }
    }

    private static (int, int, ColourType) ReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length != 13)
            throw new InvalidDataException($"PNG IHDR chunk has {data.Length} bytes; expected 13.");
        var width = BinaryPrimitives.ReadInt32BigEndian(data);
        var height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
        if (width is < 1 or > MaxSide || height is < 1 or > MaxSide)
            throw new InvalidDataException($"PNG image is {width} × {height}; each side must be 1 to {MaxSide} pixels.");
        var (depth, colour, compression, filter, interlace) = (data[8], (ColourType)data[9], data[10], data[11], data[12]);
        if (!Enum.IsDefined(colour))
            throw new InvalidDataException($"PNG colour type {(byte)colour} is not valid.");
        if (depth != 8)
            throw new InvalidDataException($"PNG bit depth {depth} is not supported: save the images with 8 bits per channel.");
        if (compression != 0 || filter != 0)
            throw new InvalidDataException($"PNG compression method {compression} or filter method {filter} is not valid (both must be 0).");
        if (interlace != 0)
            throw new InvalidDataException("Interlaced PNG is not supported: save the images without interlacing.");
        return (width, height, colour);
    }

    private static int BytesPerPixel(ColourType colour) => colour switch
    {
        ColourType.Grey or ColourType.Palette => 1,
        ColourType.GreyAlpha => 2,
        ColourType.Rgb => 3,
        _ => 4,
    };

    /// <summary>The unfiltered samples, row after row; exactly the declared size must inflate, no more.</summary>
    private static byte[] Inflate(MemoryStream compressed, int width, int height, int bytesPerPixel)
    {
        var stride = width * bytesPerPixel;
        var raw = new byte[height * (stride + 1)];
        compressed.Position = 0;
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress, leaveOpen: true))
        {
            try
            {
                zlib.ReadExactly(raw);
                if (zlib.ReadByte() != -1)
                    throw new InvalidDataException($"PNG image data inflates to more than its {width} × {height} pixels.");
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"PNG image data is truncated: it inflates to less than its {width} × {height} pixels.");
            }
            catch (IOException e) when (e is not EndOfStreamException)
            {
                // zlib's own errors (a bad checksum reads "unsupported compression method"; a preset dictionary, which
                // PNG forbids, fails as an IOException) all mean the same here.
                throw new InvalidDataException($"PNG image data is not a valid zlib stream: {e.Message}", e);
            }
        }
        var samples = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var row = samples.AsSpan(y * stride, stride);
            var above = y == 0 ? new byte[stride] : samples.AsSpan((y - 1) * stride, stride);
            Unfilter(filter, line, above, row, bytesPerPixel, y);
        }
        return samples;
    }

    private static void Unfilter(byte filter, ReadOnlySpan<byte> line, ReadOnlySpan<byte> above, Span<byte> row, int bpp, int y)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int left = i >= bpp ? row[i - bpp] : 0, up = above[i], upLeft = i >= bpp ? above[i - bpp] : 0;
            row[i] = (byte)(line[i] + filter switch
            {
                0 => 0,
                1 => left,
                2 => up,
                3 => (left + up) / 2,
                4 => Paeth(left, up, upLeft),
                _ => throw new InvalidDataException($"PNG row {y} has filter type {filter}; valid types are 0 to 4."),
            });
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static PngImage ToPlanes(byte[] samples, int width, int height, ColourType colour, byte[]? palette)
    {
        var pixels = width * height;
        var channels = colour is ColourType.Grey or ColourType.GreyAlpha ? 1 : 3;
        var planes = new byte[channels * pixels];
        var bpp = BytesPerPixel(colour);
        for (var p = 0; p < pixels; p++)
        {
            if (colour == ColourType.Palette)
            {
                var entry = samples[p];
                if (3 * entry + 2 >= palette!.Length)
                    throw new InvalidDataException($"PNG pixel {p} uses palette entry {entry}, but the palette has {palette.Length / 3}.");
                for (var c = 0; c < 3; c++) planes[c * pixels + p] = palette[3 * entry + c];
            }
            else
                for (var c = 0; c < channels; c++) planes[c * pixels + p] = samples[p * bpp + c];
        }
        return new PngImage(width, height, channels, planes);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
