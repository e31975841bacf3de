using MlAspire.Tangle.Data;
using MlAspire.Storage.Datasets;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Hosting;

/// <summary>This peer's private data: its own dataset when it has one (<see cref="PeerOptions.LocalData"/>), else its Bootstrap data slot.</summary>
public static class LocalDataLoader
{
    /// <summary>
    /// The peer's slot of the MNIST train pool, split the way the simulator splits it, so a real peer and a simulated
    /// peer with the same slot hold the same digits.
    /// </summary>
    public static LocalData Load(string mnistDirectory, SessionSettings settings)
    {
        var digits = DatasetFormats.Load("mnist", mnistDirectory).Samples;
        var (pool, _) = DataSplits.HoldOut(digits, DataSplits.TrainPoolSize(digits.Count));
        var (train, test) = new DataSlots(pool.Labels, pool.ClassCount, settings.Partition, settings.DataSlots, settings.DataSeed).Split(pool, settings.DataSlot);
        return new LocalData(train, test);
    }

    /// <summary>
    /// The peer's own dataset at <paramref name="path"/> (any of <see cref="DatasetFormats"/>; a separate training set is
    /// pooled with the rest), read before the peer joins so that a missing or malformed folder stops it at once.
    /// </summary>
    /// <exception cref="InvalidDataException">The files are missing, malformed or disagree; the message says which.</exception>
    public static Dataset ReadOwn(string path, string mnistDirectory)
    {
        var loaded = DatasetFormats.Load(path, mnistDirectory);
        return loaded.Training is { } training ? Dataset.Concat([training, loaded.Samples]) : loaded.Samples;
    }

    /// <summary>
    /// <paramref name="own"/> split as a slot is split (<see cref="DataSlots.LocalTestFraction"/> to judge models, in
    /// one fixed order, so a restarted peer judges by the same samples), once it fits the tangle's
    /// <paramref name="model"/>: as many features, labels among its classes (a peer may hold only some).
    /// </summary>
    /// <exception cref="InvalidDataException">The data does not fit the model; the message says how.</exception>
    public static LocalData FitOwn(Dataset own, string path, ModelShape model)
    {
        if (own.FeatureCount != model.Inputs)
            throw new InvalidDataException($"{PeerOptions.Section}:LocalData {path} has {own.FeatureCount} features per sample; the tangle's model ({model}) takes {model.Inputs}.");
        if (own.ClassCount > model.Classes)
            throw new InvalidDataException($"{PeerOptions.Section}:LocalData {path} has labels up to {own.ClassCount - 1}; the tangle's model has {model.Classes} classes.");
        if (own.Count < 2)
            throw new InvalidDataException($"{PeerOptions.Section}:LocalData {path} has {own.Count} sample; a peer needs at least two, one to train on and one to judge models by.");
        var fitted = new Dataset(own.Features, own.Labels, own.FeatureCount, model.Classes);
        var (train, test) = DataSplits.LocalSplit(fitted, DataSlots.LocalTestFraction, new Random(DatasetFormats.FixedOrderSeed));
        return new LocalData(train, test);
    }
}
