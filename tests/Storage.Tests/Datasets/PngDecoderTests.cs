using System.Buffers.Binary;
using MlAspire.Storage.Datasets;
using SkiaSharp;

namespace MlAspire.Storage.Tests.Datasets;

public class PngDecoderTests
{
    /// <summary>A PNG written by Skia (libpng's filters chosen per row), with pixels from <paramref name="pixel"/> (x, y, channel).</summary>
    internal static byte[] Encode(int width, int height, SKColorType type, SKAlphaType alpha, Func<int, int, int, byte> pixel)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, type, alpha));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, type == SKColorType.Gray8
                    ? new SKColor(pixel(x, y, 0), pixel(x, y, 0), pixel(x, y, 0))
                    : new SKColor(pixel(x, y, 0), pixel(x, y, 1), pixel(x, y, 2)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    // Smooth areas, edges and noise, so the encoder picks different row filters.
    private static byte Texture(int x, int y, int c) => (byte)(x < 7 ? 40 * c + 3 * y : (x * 37 + y * 91 + c * 53) * 2654435761u >> 24);

    [Theory]
    [InlineData(SKColorType.Gray8, SKAlphaType.Opaque, 0, 1)]      // greyscale
    [InlineData(SKColorType.Rgb888x, SKAlphaType.Opaque, 2, 3)]    // RGB
    [InlineData(SKColorType.Rgba8888, SKAlphaType.Unpremul, 6, 3)] // RGBA: the alpha is dropped
    public void Decodes_what_a_real_encoder_writes(SKColorType type, SKAlphaType alpha, byte colourType, int channels)
    {
        var png = Encode(23, 17, type, alpha, Texture);
        Assert.Equal(colourType, png[25]); // IHDR's colour type: the case this row means to cover

        var image = PngDecoder.Decode(png);

        Assert.Equal((23, 17, channels), (image.Width, image.Height, image.Channels));
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < 17; y++)
                for (var x = 0; x < 23; x++)
                    Assert.Equal(Texture(x, y, c), image.Planes[c * 23 * 17 + y * 23 + x]);
    }

    [Fact]
    public void Every_row_filter_decodes_as_skia_decodes_it()
    {
        // Skia's encoder happens not to choose the Average filter; this file uses each of the five in turn, row by row.
        const int width = 19, height = 15;
        var samples = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                samples[y * width + x] = Texture(x, y, 0);
        var png = EncodeWithEveryFilter(samples, width, height);
        using var skia = SKBitmap.Decode(png);
        Assert.NotNull(skia);

        var image = PngDecoder.Decode(png);

        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                Assert.Equal(samples[y * width + x], image.Planes[y * width + x]);
                Assert.Equal(skia.GetPixel(x, y).Red, image.Planes[y * width + x]);
            }
    }

    /// <summary>An 8-bit PNG of <paramref name="colourType"/> whose row y is filtered with filter type y mod 5.</summary>
    private static byte[] EncodeWithEveryFilter(byte[] samples, int width, int height, byte colourType = 0, int bytesPerPixel = 1, byte[]? palette = null)
    {
        var stride = width * bytesPerPixel;
        var raw = new byte[height * (stride + 1)];
        for (var y = 0; y < height; y++)
        {
            var filter = (byte)(y % 5);
            raw[y * (stride + 1)] = filter;
            for (var x = 0; x < stride; x++)
            {
                int at(int xx, int yy) => xx < 0 || yy < 0 ? 0 : samples[yy * stride + xx];
                int left = at(x - bytesPerPixel, y), up = at(x, y - 1), upLeft = at(x - bytesPerPixel, y - 1);
                var p = left + up - upLeft;
                var paeth = Math.Abs(p - left) <= Math.Abs(p - up) && Math.Abs(p - left) <= Math.Abs(p - upLeft) ? left : Math.Abs(p - up) <= Math.Abs(p - upLeft) ? up : upLeft;
                var predictor = filter switch { 0 => 0, 1 => left, 2 => up, 3 => (left + up) / 2, _ => paeth };
                raw[y * (stride + 1) + 1 + x] = (byte)(samples[y * stride + x] - predictor);
            }
        }
        using var deflated = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(deflated, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(raw);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; methods 0, not interlaced
        header[9] = colourType;
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", header), .. palette is null ? [] : Chunk("PLTE", palette),
            .. Chunk("IDAT", deflated.ToArray()), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    [Fact]
    public void Palette_and_grey_with_alpha_images_decode_as_skia_decodes_them()
    {
        const int width = 13, height = 11;
        var palette = Enumerable.Range(0, 3 * 7).Select(i => (byte)(i * 37 % 256)).ToArray();
        var indices = Enumerable.Range(0, width * height).Select(i => (byte)(i * 5 % 7)).ToArray();
        var png = EncodeWithEveryFilter(indices, width, height, colourType: 3, palette: palette);
        using var skia = SKBitmap.Decode(png);

        var image = PngDecoder.Decode(png);

        Assert.Equal(3, image.Channels);
        for (var p = 0; p < width * height; p++)
        {
            var colour = skia.GetPixel(p % width, p / width);
            Assert.Equal([colour.Red, colour.Green, colour.Blue], [image.Planes[p], image.Planes[width * height + p], image.Planes[2 * width * height + p]]);
            Assert.Equal(palette[3 * indices[p]], image.Planes[p]);
        }

        // Grey with alpha: two bytes a pixel, the alpha (opaque here, so Skia's premultiplied reading agrees) dropped.
        var greyAlpha = Enumerable.Range(0, width * height).SelectMany(i => new[] { Texture(i % width, i / width, 0), (byte)255 }).ToArray();
        png = EncodeWithEveryFilter(greyAlpha, width, height, colourType: 4, bytesPerPixel: 2);
        using var skiaGrey = SKBitmap.Decode(png);
        image = PngDecoder.Decode(png);
        Assert.Equal(1, image.Channels);
        for (var p = 0; p < width * height; p++)
            Assert.Equal((greyAlpha[2 * p], skiaGrey.GetPixel(p % width, p / width).Red), (image.Planes[p], image.Planes[p]));
    }

    [Fact]
    public void A_palette_index_beyond_the_palette_is_refused()
    {
        var png = EncodeWithEveryFilter([0, 1, 2, 3], 2, 2, colourType: 3, palette: [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Assert.Contains("palette entry 3, but the palette has 3", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png)).Message);
    }

    [Fact]
    public void Image_data_with_a_preset_dictionary_or_an_oversized_file_is_refused_as_invalid_data()
    {
        var png = EncodeWithEveryFilter([7], 1, 1);
        var idat = png.AsSpan().IndexOf("IDAT"u8);
        var withDictionary = png[..(idat + 4)].Concat(new byte[] { 0x78, 0x20, 0, 0, 0, 0 }).ToArray(); // zlib header, FDICT set
        var length = 6;
        BinaryPrimitives.WriteInt32BigEndian(withDictionary.AsSpan(idat - 4), length);
        byte[] fixedUp = [.. withDictionary, 0, 0, 0, 0, .. png[^12..]];
        BinaryPrimitives.WriteUInt32BigEndian(fixedUp.AsSpan(idat + 4 + length), Crc32(fixedUp.AsSpan(idat, 4 + length)));
        Assert.Contains("not a valid zlib stream", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(fixedUp)).Message);

        Assert.Contains("at most", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(new byte[PngDecoder.MaxFileBytes + 1])).Message);
    }

    [Fact]
    public void A_flipped_bit_a_cut_file_or_another_format_is_refused_with_the_reason()
    {
        var png = Encode(8, 8, SKColorType.Gray8, SKAlphaType.Opaque, Texture);
        var flipped = (byte[])png.Clone();
        flipped[^20] ^= 1; // inside the image data
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(flipped)).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png.AsSpan(0, png.Length - 12))).Message);
        Assert.Contains("signature", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode("GIF89a"u8)).Message);
    }

    [Theory]
    [InlineData(4, 4, "more than")]        // the data holds 8 × 8 pixels: it must not inflate beyond what the header declares
    [InlineData(16, 16, "less than")]      // it holds fewer than declared
    [InlineData(5000, 8, "1 to 1024")]     // beyond the size bound, before anything is inflated
    public void Image_data_must_inflate_to_exactly_the_declared_size(int width, int height, string reason)
    {
        var png = WithHeader(Encode(8, 8, SKColorType.Gray8, SKAlphaType.Opaque, Texture), header =>
        {
            BinaryPrimitives.WriteInt32BigEndian(header, width);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        });
        Assert.Contains(reason, Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png)).Message);
    }

    [Theory]
    [InlineData(8, 16, "bit depth 16")]
    [InlineData(12, 1, "Interlaced")]
    [InlineData(9, 5, "colour type 5")]
    public void Unsupported_variants_say_how_to_save_the_images(int headerByte, byte value, string reason)
    {
        var png = WithHeader(Encode(8, 8, SKColorType.Gray8, SKAlphaType.Opaque, Texture), header => header[headerByte] = value);
        Assert.Contains(reason, Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png)).Message);
    }

    /// <summary>The PNG with its IHDR data edited and its checksum made right again.</summary>
    private static byte[] WithHeader(byte[] png, SpanAction edit)
    {
        var copy = (byte[])png.Clone();
        Assert.Equal("IHDR"u8.ToArray(), copy[12..16]);
        edit(copy.AsSpan(16, 13));
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), Crc32(copy.AsSpan(12, 17)));
        return copy;
    }

    private delegate void SpanAction(Span<byte> span);

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
