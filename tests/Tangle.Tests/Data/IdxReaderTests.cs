using System.Buffers.Binary;
using System.IO.Compression;
using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Tests.Data;

public class IdxReaderTests
{
    private static string MnistFile(string name) => Path.Combine(AppContext.BaseDirectory, "data", "mnist", name);

    [Fact]
    public void A_small_gzip_file_inflating_past_its_header_is_refused_without_inflating_it_all()
    {
        // 2 labels declared, then 64 MB of zeros: about 64 KB compressed. Only the declared bytes and one more inflate.
        var bomb = new byte[8 + (64 << 20)];
        BinaryPrimitives.WriteInt32BigEndian(bomb, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(bomb.AsSpan(4), 2);
        var compressed = Gzip(bomb);
        Assert.True(compressed.Length < 1 << 20);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(new MemoryStream(compressed)));

        Assert.Contains("unexpected trailing bytes", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the file was inflated whole");

        var huge = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(huge, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(4), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(8), 200);
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(12), 200);
        Assert.Contains("declares 4000000016 bytes", Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(Gzip(huge)), new MemoryStream(Gzip(new byte[8])))).Message);
    }

    [Fact]
    public void Reads_the_real_mnist_test_set()
    {
        using var images = File.OpenRead(MnistFile("t10k-images-idx3-ubyte.gz"));
        using var labels = File.OpenRead(MnistFile("t10k-labels-idx1-ubyte.gz"));

        var data = IdxReader.Read(images, labels);

        Assert.Equal(10_000, data.Count);
        Assert.Equal(28 * 28, data.FeatureCount);
        Assert.Equal(10, data.ClassCount);
        int[] expectedClassCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
        Assert.Equal(expectedClassCounts, Enumerable.Range(0, 10).Select(c => data.Labels.Count(l => l == c)));
        Assert.All(data.Features, pixel => Assert.InRange(pixel, 0f, 1f));
        var meanRawPixel = data.Features.Sum(p => (double)p) / data.Features.Length * 255;
        Assert.InRange(meanRawPixel, 33.785, 33.795);

        var (trainPool, heldOut) = DataSplits.HoldOut(data, DataSplits.MnistTrainPoolSize);
        Assert.Equal((8000, 2000), (trainPool.Count, heldOut.Count));
    }

    [Fact]
    public void Reads_the_labels_alone_as_the_full_read_does()
    {
        using var images = File.OpenRead(MnistFile("t10k-images-idx3-ubyte.gz"));
        using var labels = File.OpenRead(MnistFile("t10k-labels-idx1-ubyte.gz"));
        using var labelsAgain = File.OpenRead(MnistFile("t10k-labels-idx1-ubyte.gz"));

        Assert.Equal(IdxReader.Read(images, labels).Labels, IdxReader.ReadLabels(labelsAgain));
        Assert.Contains("label 1 is 10", Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(new MemoryStream(Labels(2, [1, 10])))).Message);
    }

    [Fact]
    public void Reads_uncompressed_and_gzipped_files_alike()
    {
        var images = Images(count: 2, rows: 2, columns: 3, [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8]);
        var labels = Labels(count: 2, [7, 0]);

        var plain = IdxReader.Read(new MemoryStream(images), new MemoryStream(labels));
        var gzipped = IdxReader.Read(new MemoryStream(Gzip(images)), new MemoryStream(Gzip(labels)));

        Assert.Equal(6, plain.FeatureCount);
        Assert.Equal([7, 0], plain.Labels);
        Assert.Equal([0f, 1f, 0.2f, 0.4f], plain.Features[..4]);
        Assert.Equal(plain.Features, gzipped.Features);
        Assert.Equal(plain.Labels, gzipped.Labels);
    }

    [Fact]
    public void Bad_magic_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(
            new MemoryStream(Labels(1, [3])), new MemoryStream(Labels(1, [3]))));
        Assert.Contains("magic number 0x00000801; expected 0x00000803", error.Message);
    }

    [Fact]
    public void Truncated_files_are_rejected()
    {
        var images = Images(2, 2, 2, new byte[8]);
        var labels = Labels(2, [1, 2]);

        var shortPixels = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(images[..^1]), new MemoryStream(labels)));
        Assert.Contains("truncated", shortPixels.Message);
        var shortHeader = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(images[..10]), new MemoryStream(labels)));
        Assert.Contains("truncated", shortHeader.Message);
        var shortLabels = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(images), new MemoryStream(labels[..^1])));
        Assert.Contains("truncated", shortLabels.Message);
        var shortGzip = Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(Gzip(images)[..^12]), new MemoryStream(labels)));
        Assert.Contains("IDX", shortGzip.Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(
            new MemoryStream([.. Images(1, 1, 1, [9]), 0]), new MemoryStream(Labels(1, [1]))));
        Assert.Contains("trailing", error.Message);
    }

    [Fact]
    public void Count_mismatch_between_images_and_labels_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(
            new MemoryStream(Images(2, 1, 1, [1, 2])), new MemoryStream(Labels(3, [1, 2, 3]))));
        Assert.Contains("2 images but the labels file has 3 labels", error.Message);
    }

    [Fact]
    public void Labels_outside_the_ten_digits_are_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(
            new MemoryStream(Images(2, 1, 1, [1, 2])), new MemoryStream(Labels(2, [1, 10]))));
        Assert.Contains("label 1 is 10", error.Message);
    }

    private static byte[] Images(int count, int rows, int columns, byte[] pixels) =>
        [.. BigEndian(IdxReader.ImagesMagic, count, rows, columns), .. pixels];

    private static byte[] Labels(int count, byte[] labels) => [.. BigEndian(IdxReader.LabelsMagic, count), .. labels];

    private static byte[] BigEndian(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }
}
