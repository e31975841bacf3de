using MlAspire.Tangle;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Data.Partitioning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// This peer's private data for the demonstration: its slot of the MNIST train pool, split the way the simulator
/// splits it, so a real peer and a simulated peer with the same slot hold the same digits.
/// </summary>
public static class LocalDataLoader
{
    public static LocalData Load(string mnistDirectory, SessionSettings settings)
    {
        using var images = File.OpenRead(Path.Combine(mnistDirectory, "t10k-images-idx3-ubyte.gz"));
        using var labels = File.OpenRead(Path.Combine(mnistDirectory, "t10k-labels-idx1-ubyte.gz"));
        var (pool, _) = DataSplits.HoldOut(IdxReader.Read(images, labels), DataSplits.MnistTrainPoolSize);
        var random = new Random(Sampling.DeriveSeed(settings.DataSeed, 0));
        var partitions = Partitioners.Parse(settings.Partition).Partition(pool.Labels, pool.ClassCount, settings.DataSlots, random);
        var mine = pool.Subset(partitions[settings.DataSlot % settings.DataSlots]);
        var (train, test) = DataSplits.LocalSplit(mine, 0.2, new Random(Sampling.DeriveSeed(settings.DataSeed, 1, settings.DataSlot)));
        return new LocalData(train, test);
    }
}
