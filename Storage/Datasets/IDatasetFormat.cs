using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;

namespace MlAspire.Storage.Datasets;

/// <summary>
/// What a dataset on disk holds: <paramref name="Samples"/>, its test set or its only set, and a separate training set
/// when it has one (MNIST-style <c>train-*</c> files beside <c>t10k-*</c>). <paramref name="Image"/> is the samples'
/// channels × height × width when the format knows it; convolutions take a flat square sample as one greyscale channel.
/// </summary>
public sealed record LoadedDataset(Dataset Samples, Dataset? Training, ActivationShape? Image = null)
{
    public ActivationShape SampleShape => Image ?? ActivationShape.Flat(Samples.FeatureCount);
}

/// <summary>One way of keeping labelled samples on disk. Each is one file plus one line in <see cref="DatasetFormats"/>.</summary>
public interface IDatasetFormat
{
    /// <summary>What a user writes, for the usage text: e.g. "a CSV file with a label column".</summary>
    string Description { get; }

    /// <summary>Whether <paramref name="path"/> looks like this format, from names alone (nothing is read).</summary>
    bool Recognizes(string path);

    /// <exception cref="InvalidDataException">The files are malformed or disagree; the message says which and how.</exception>
    LoadedDataset Load(string path);
}
