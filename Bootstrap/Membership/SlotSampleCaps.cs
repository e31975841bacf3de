using Microsoft.Extensions.Options;
using MlAspire.Tangle.Data;

namespace MlAspire.Bootstrap.Membership;

/// <summary>
/// The most training samples the holder of each data slot may claim: the size of the training set a peer holding that
/// slot trains on (<see cref="DataSlots"/>, the peer's own computation), worked out once at start from the labels of
/// the demonstration data.
/// </summary>
public sealed class SlotSampleCaps
{
    public const string LabelsFileName = "t10k-labels-idx1-ubyte.gz";

    private readonly int[] _caps;

    /// <exception cref="InvalidOperationException">The labels cannot be read, or the pool cannot be shared into that many slots.</exception>
    public SlotSampleCaps(IOptions<BootstrapOptions> options, IHostEnvironment environment)
    {
        var data = options.Value.Data;
        var path = Path.Combine(Path.GetFullPath(data.Directory, environment.ContentRootPath), LabelsFileName);
        byte[] labels;
        try
        {
            using var file = File.OpenRead(path);
            labels = IdxReader.ReadLabels(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new InvalidOperationException($"{BootstrapOptions.Section}:Data:Directory: cannot read the demonstration labels {path}: {e.Message}", e);
        }
        if (labels.Length < DataSplits.MnistTrainPoolSize)
            throw new InvalidOperationException($"{BootstrapOptions.Section}:Data:Directory: {path} has {labels.Length} labels; the train pool needs {DataSplits.MnistTrainPoolSize}.");
        try
        {
            var slots = new DataSlots(labels[..DataSplits.MnistTrainPoolSize], IdxReader.DigitClasses, data.Partition, data.Slots, data.Seed);
            _caps = [.. Enumerable.Range(0, slots.Count).Select(slots.TrainingSamples)];
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{BootstrapOptions.Section}:Data: the train pool cannot be shared into {data.Slots} slots as '{data.Partition}': {e.Message}", e);
        }
    }

    /// <summary>The training samples of slot <paramref name="slot"/>, in [0, Data:Slots).</summary>
    public int Of(int slot) => _caps[slot];

    /// <summary>Every slot's cap in slot order, for the log.</summary>
    public override string ToString() => string.Join(", ", _caps);
}
