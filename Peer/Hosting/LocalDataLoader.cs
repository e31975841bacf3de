using MlAspire.Tangle.Data;
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
        var (train, test) = new DataSlots(pool.Labels, pool.ClassCount, settings.Partition, settings.DataSlots, settings.DataSeed).Split(pool, settings.DataSlot);
        return new LocalData(train, test);
    }
}
