using MlAspire.Tangle.Data;

namespace MlAspire.Storage.Datasets;

/// <summary>The dataset formats a path may hold, and the datasets known by name.</summary>
public static class DatasetFormats
{
    private static readonly IDatasetFormat[] Formats = [new IdxFolderFormat(), new CsvFileFormat(), new PngClassFoldersFormat()];

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts Fashion-MNIST.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    public static string Usage => string.Join("; ", Formats.Select(f => f.Description));

    /// <summary>
    /// The dataset named <paramref name="nameOrPath"/>: <c>mnist</c> (the copy in <paramref name="mnistDirectory"/>),
    /// <c>fashion-mnist</c> (<see cref="FashionMnistDirectory"/>), or a path holding one of the formats.
    /// </summary>
    public static LoadedDataset Load(string nameOrPath, string mnistDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var path = nameOrPath switch
        {
            "mnist" => mnistDirectory,
            "fashion-mnist" => FashionMnistDirectory,
            _ => nameOrPath,
        };
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException(nameOrPath == "fashion-mnist"
                ? $"Fashion-MNIST is not installed at {path}: apt-get install -y dataset-fashion-mnist."
                : $"No dataset at {path}: expected mnist, fashion-mnist or a path to {Usage}.", path);
        var format = Formats.FirstOrDefault(f => f.Recognizes(path))
            ?? throw new InvalidDataException($"{path} holds no dataset this program reads: expected {Usage}.");
        return format.Load(path);
    }

    /// <summary>
    /// The samples in one fixed pseudo-random order. Own data often comes sorted by class (a folder per class, a CSV
    /// written class by class); shuffled, any prefix or suffix of it, such as a held-out tail, holds every class.
    /// </summary>
    internal static Dataset InFixedRandomOrder(Dataset data)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(FixedOrderSeed).Shuffle(order);
        return data.Subset(order);
    }

    /// <summary>Most feature values a dataset may hold (1 GiB as floats): a folder of small files cannot inflate past it.</summary>
    internal const int MaxValues = 1 << 28;

    /// <summary>The seed of every fixed order: a dataset's shuffle, and a peer's split of its own data (the same across restarts).</summary>
    public const int FixedOrderSeed = 20201201;

    /// <summary>Labels must fit a byte: at most this many classes.</summary>
    internal const int MaxClasses = 256;
}
