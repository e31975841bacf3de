using System.Buffers.Binary;
using MlAspire.Storage.Datasets;
using SkiaSharp;

namespace MlAspire.Storage.Tests.Datasets;

public sealed class DatasetFormatsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("datasets-").FullName;
    private static string MnistDirectory => Path.Combine(AppContext.BaseDirectory, "data", "mnist");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Mnist_by_name_is_its_test_set_alone_in_file_order()
    {
        var mnist = DatasetFormats.Load("mnist", MnistDirectory);
        Assert.Null(mnist.Training);
        Assert.Equal((10_000, 784, 10), (mnist.Samples.Count, mnist.Samples.FeatureCount, mnist.Samples.ClassCount));
        Assert.Equal(7, mnist.Samples.Labels[0]); // the file's first digit: IDX sets keep their order
    }

    [Fact]
    public void A_folder_of_png_class_folders_is_a_dataset_of_its_pixels()
    {
        // Three classes of 5 × 4 greyscale images; each image's pixels all equal its number, so a sample names its file.
        var classes = new[] { "cat", "dog", "emu" };
        var number = 0;
        var expected = new Dictionary<int, byte>();
        foreach (var (name, label) in classes.Select((n, i) => (n, (byte)i)))
        {
            Directory.CreateDirectory(Path.Combine(_folder, name));
            for (var i = 0; i < 3 + label; i++, number++)
            {
                var value = (byte)(10 * number);
                File.WriteAllBytes(Path.Combine(_folder, name, $"{i}.png"), PngDecoderTests.Encode(5, 4, SKColorType.Gray8, SKAlphaType.Opaque, (_, _, _) => value));
                expected[value] = label;
            }
        }
        File.WriteAllText(Path.Combine(_folder, "README.txt"), "not a class");

        var data = DatasetFormats.Load(_folder, MnistDirectory).Samples;

        Assert.Equal((12, 20, 3), (data.Count, data.FeatureCount, data.ClassCount));
        for (var s = 0; s < data.Count; s++)
        {
            var value = (byte)Math.Round(data.Sample(s)[0] * 255);
            Assert.All(data.Sample(s).ToArray(), f => Assert.Equal(value / 255f, f));
            Assert.Equal(expected[value], data.Labels[s]);
        }
        Assert.NotEqual(data.Labels.Order(), data.Labels); // shuffled once: a held-out tail holds every class
    }

    [Fact]
    public void Png_class_folders_named_by_number_are_those_classes()
    {
        foreach (var name in new[] { "3", "7" })
        {
            Directory.CreateDirectory(Path.Combine(_folder, name));
            File.WriteAllBytes(Path.Combine(_folder, name, "a.png"), PngDecoderTests.Encode(2, 2, SKColorType.Gray8, SKAlphaType.Opaque, (_, _, _) => byte.Parse(name)));
        }
        var data = DatasetFormats.Load(_folder, MnistDirectory).Samples;
        Assert.Equal(8, data.ClassCount);
        Assert.All(Enumerable.Range(0, 2), s => Assert.Equal(data.Labels[s], (byte)Math.Round(data.Sample(s)[0] * 255)));
    }

    [Fact]
    public void Png_images_of_different_sizes_or_a_broken_file_are_named_in_the_error()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "a"));
        Directory.CreateDirectory(Path.Combine(_folder, "b"));
        File.WriteAllBytes(Path.Combine(_folder, "a", "1.png"), PngDecoderTests.Encode(5, 4, SKColorType.Gray8, SKAlphaType.Opaque, (_, _, _) => 1));
        File.WriteAllBytes(Path.Combine(_folder, "b", "2.png"), PngDecoderTests.Encode(4, 5, SKColorType.Gray8, SKAlphaType.Opaque, (_, _, _) => 1));
        var error = Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory));
        Assert.Contains("2.png is 4 × 5 greyscale", error.Message);

        File.WriteAllBytes(Path.Combine(_folder, "b", "2.png"), [0x89, 0x50, 0x4E, 0x47]);
        error = Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory));
        Assert.Contains("2.png", error.Message);
    }

    [Fact]
    public void A_csv_takes_its_label_column_by_name_and_named_classes_in_ordinal_order()
    {
        var csv = Path.Combine(_folder, "flowers.csv");
        File.WriteAllLines(csv, ["width,Label,height", "1.5,setosa,2", "2.5,\"virginica\",3e-1", "", "3,versicolor,-4"]);

        var data = DatasetFormats.Load(csv, MnistDirectory).Samples;

        Assert.Equal((3, 2, 3), (data.Count, data.FeatureCount, data.ClassCount));
        var rows = Enumerable.Range(0, 3).ToDictionary(s => data.Labels[s], s => data.Sample(s).ToArray());
        Assert.Equal([1.5f, 2f], rows[0]);   // setosa
        Assert.Equal([3f, -4f], rows[1]);    // versicolor
        Assert.Equal([2.5f, 0.3f], rows[2]); // virginica
    }

    [Fact]
    public void Numeric_csv_labels_are_class_numbers()
    {
        var csv = Path.Combine(_folder, "numbers.csv");
        File.WriteAllLines(csv, ["label,x", "4,1", "0,2"]);
        var data = DatasetFormats.Load(csv, MnistDirectory).Samples;
        Assert.Equal(5, data.ClassCount);
        Assert.Equal([(byte)0, 4], data.Labels.Order().ToArray());
    }

    [Theory]
    [InlineData("x,y\n1,2", "columns named \"label\"")]
    [InlineData("label,x\n1,2,3", "line 2 has 3 fields")]
    [InlineData("label,x\n1,two", "line 2, column \"x\": \"two\" is not a finite number")]
    [InlineData("label,x\n1,NaN", "not a finite number")]
    [InlineData("label,x\n1,\"2", "unclosed quote")]
    [InlineData("label,x", "no samples")]
    [InlineData("label\n1", "no feature columns")]
    [InlineData("label,x\n,1", "line 2 has an empty label")]
    [InlineData("label,x\n1,1\n1.0,2", "mixes class numbers 0–255 with other labels (\"1.0\")")]
    [InlineData("label,x\n\"1\"2,1", "text after a closing quote")]
    public void A_bad_csv_says_where_and_what(string content, string reason)
    {
        var csv = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(csv, content);
        Assert.Contains(reason, Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(csv, MnistDirectory)).Message);
    }

    [Fact]
    public void A_csv_line_without_end_is_refused_before_it_fills_memory_and_blank_lines_are_skipped()
    {
        var csv = Path.Combine(_folder, "long.csv");
        File.WriteAllText(csv, "label,x\n" + new string('1', CsvFileFormat.MaxLineLength + 1));
        Assert.Contains("line 2 is longer than", Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(csv, MnistDirectory)).Message);

        File.WriteAllText(csv, "label,x\r\n1,2\r\n   \r\n0,3\r\n");
        Assert.Equal(2, DatasetFormats.Load(csv, MnistDirectory).Samples.Count);
    }

    [Fact]
    public void An_idx_pair_of_any_name_is_one_set_and_t10k_beside_train_are_two()
    {
        WriteIdx("letters", [0, 2, 1, 2]);
        var one = DatasetFormats.Load(_folder, MnistDirectory);
        Assert.Null(one.Training);
        Assert.Equal((4, 6, 3), (one.Samples.Count, one.Samples.FeatureCount, one.Samples.ClassCount));
        Assert.Equal([0, 2, 1, 2], one.Samples.Labels); // file order

        File.Delete(Path.Combine(_folder, "letters-images-idx3-ubyte"));
        File.Delete(Path.Combine(_folder, "letters-labels-idx1-ubyte"));
        WriteIdx("t10k", [0, 1]);
        WriteIdx("train", [3, 1, 0]);
        var two = DatasetFormats.Load(_folder, MnistDirectory);
        Assert.Equal((2, 3), (two.Samples.Count, two.Training!.Count));
        Assert.Equal((4, 4), (two.Samples.ClassCount, two.Training.ClassCount)); // the largest label of either set

        var t10k = Path.Combine(_folder, "t10k-images-idx3-ubyte");
        var sameSize = File.ReadAllBytes(t10k);
        var narrower = sameSize[..(16 + 2 * 3)]; // the two images as 1 × 3 pixels each: train's are 2 × 3
        BinaryPrimitives.WriteInt32BigEndian(narrower.AsSpan(8), 1);
        File.WriteAllBytes(t10k, narrower);
        Assert.Contains("t10k and train images differ in size", Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory)).Message);
        File.WriteAllBytes(t10k, sameSize);

        WriteIdx("extra", [0]);
        Assert.Contains("expected one set, or t10k and train", Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory)).Message);
        File.Delete(Path.Combine(_folder, "extra-labels-idx1-ubyte"));
        Assert.Contains("has no labels beside it", Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory)).Message);
        File.Delete(Path.Combine(_folder, "extra-images-idx3-ubyte"));

        File.Copy(Path.Combine(_folder, "train-labels-idx1-ubyte"), Path.Combine(_folder, "train-labels-idx1-ubyte.gz"));
        Assert.Contains("labels of IDX set train twice", Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory)).Message);
        File.Delete(Path.Combine(_folder, "train-labels-idx1-ubyte.gz"));

        File.WriteAllBytes(Path.Combine(_folder, "train-labels-idx1-ubyte"), [0, 0, 8, 3, 0, 0, 0, 1, 0]); // an images magic
        var error = Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory));
        Assert.Contains("train-labels-idx1-ubyte: IDX labels file has magic number", error.Message);
    }

    [Fact]
    public void A_path_with_no_dataset_lists_what_is_read()
    {
        Assert.Contains("a CSV file", Assert.Throws<InvalidDataException>(() => DatasetFormats.Load(_folder, MnistDirectory)).Message);
        Assert.Throws<FileNotFoundException>(() => DatasetFormats.Load(Path.Combine(_folder, "missing"), MnistDirectory));
    }

    /// <summary>An uncompressed IDX pair of 2 × 3 images, one per label.</summary>
    private void WriteIdx(string set, byte[] labels)
    {
        var images = new byte[16 + 6 * labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), labels.Length);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 2);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 3);
        var labelFile = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(labelFile, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labelFile.AsSpan(4), labels.Length);
        labels.CopyTo(labelFile, 8);
        File.WriteAllBytes(Path.Combine(_folder, $"{set}-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(_folder, $"{set}-labels-idx1-ubyte"), labelFile);
    }
}
