using MlAspire.Tangle.Data;

namespace MlAspire.Storage.Datasets;

/// <summary>
/// A folder of MNIST-format IDX pairs, gzip-compressed or not: <c>NAME-images-idx3-ubyte</c> beside
/// <c>NAME-labels-idx1-ubyte</c>. <c>t10k</c> and <c>train</c> pairs are MNIST's test and training sets; a folder
/// with one pair of any name holds one set. The samples keep the files' order, and there are as many classes as the
/// largest label says.
/// </summary>
public sealed class IdxFolderFormat : IDatasetFormat
{
    private const string ImagesSuffix = "-images-idx3-ubyte";
    private const string LabelsSuffix = "-labels-idx1-ubyte";

    public string Description => "a folder of IDX pairs (NAME-images-idx3-ubyte[.gz], NAME-labels-idx1-ubyte[.gz])";

    public bool Recognizes(string path) => Directory.Exists(path) && Sets(path).Count > 0;

    public LoadedDataset Load(string path)
    {
        var sets = Sets(path);
        var names = sets.Keys.Order(StringComparer.Ordinal).ToArray();
        (string Images, string Labels) samples;
        (string Images, string Labels)? training = null;
        if (names is ["t10k", "train"])
            (samples, training) = (sets["t10k"], sets["train"]);
        else if (names is [var only])
            samples = sets[only];
        else
            throw new InvalidDataException($"{path} holds IDX sets {string.Join(", ", names)}: expected one set, or t10k and train.");
        var labels = training is { } both ? [ReadLabels(samples.Labels), ReadLabels(both.Labels)] : new[] { ReadLabels(samples.Labels) };
        var classes = Math.Max(2, labels.Max(l => l.Length == 0 ? 0 : l.Max() + 1));
        var (test, train) = (Read(samples, classes), training is { } t ? Read(t, classes) : null);
        if (train is not null && train.FeatureCount != test.FeatureCount)
            throw new InvalidDataException($"{path}: its t10k and train images differ in size ({test.FeatureCount} and {train.FeatureCount} pixels).");
        return new LoadedDataset(test, train);
    }

    /// <summary>Each set's name and its two files; a set with images and no labels is an error, not a different set.</summary>
    private static Dictionary<string, (string Images, string Labels)> Sets(string directory)
    {
        var sets = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var images in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(images);
            var stem = name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
            if (!stem.EndsWith(ImagesSuffix, StringComparison.Ordinal))
                continue;
            var set = stem[..^ImagesSuffix.Length];
            var labelFiles = new[] { ".gz", "" }.Select(ext => Path.Combine(directory, set + LabelsSuffix + ext)).Where(File.Exists).ToList();
            var labels = labelFiles switch
            {
                [var one] => one,
                [] => throw new InvalidDataException($"{images} has no labels beside it: expected {set}{LabelsSuffix}[.gz]."),
                _ => throw new InvalidDataException($"{directory} holds the labels of IDX set {set} twice, compressed and not: keep one."),
            };
            if (!sets.TryAdd(set, (images, labels)))
                throw new InvalidDataException($"{directory} holds IDX set {set} twice, compressed and not: keep one.");
        }
        return sets;
    }

    private static byte[] ReadLabels(string file)
    {
        using var stream = File.OpenRead(file);
        try
        {
            return IdxReader.ReadLabels(stream, DatasetFormats.MaxClasses);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    private static Dataset Read((string Images, string Labels) set, int classes)
    {
        using var images = File.OpenRead(set.Images);
        using var labels = File.OpenRead(set.Labels);
        try
        {
            return IdxReader.Read(images, labels, classes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{set.Images} with {Path.GetFileName(set.Labels)}: {e.Message}", e); // the message says which of the two
        }
    }
}
