using MlAspire.Tangle.Data;

namespace MlAspire.Integration.Tests;

/// <summary>The repository's MNIST test set, as the peers read it.</summary>
public static class MnistDigits
{
    public static Dataset TestSet()
    {
        var folder = Path.Combine(Repository.Root, "data", "mnist");
        using var images = File.OpenRead(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
        using var labels = File.OpenRead(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        return IdxReader.Read(images, labels);
    }

    /// <summary>The 2,000 digits no data slot holds.</summary>
    public static Dataset HeldOut() => DataSplits.HoldOut(TestSet(), DataSplits.MnistTrainPoolSize).Test;
}
