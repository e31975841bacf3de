using MlAspire.Tangle.Data.Partitioning;

namespace MlAspire.Tangle.Data;

/// <summary>
/// The demonstration data shared out: the train pool partitioned into slots, and each slot split into the local train
/// and test sets of the peer holding it. The one definition of what a slot holds: a peer trains on its slot, and the
/// Bootstrap caps the sample count a member may claim at the size of that same training set.
/// </summary>
public sealed class DataSlots
{
    /// <summary>The share of its slot a peer keeps for judging models rather than for training.</summary>
    public const double LocalTestFraction = 0.2;

    private readonly IReadOnlyList<int[]> _slots;
    private readonly int _seed;

    /// <param name="poolLabels">The train pool's labels, in order: who holds what depends on the labels only.</param>
    /// <param name="partition">iid, dirichlet:ALPHA or shards:N (<see cref="Partitioners.Parse"/>).</param>
    /// <exception cref="FormatException">The partition is not one of those forms.</exception>
    /// <exception cref="ArgumentException">The pool is too small for that many slots.</exception>
    public DataSlots(byte[] poolLabels, int classCount, string partition, int slots, int seed)
    {
        _slots = Partitioners.Parse(partition).Partition(poolLabels, classCount, slots, new Random(Sampling.DeriveSeed(seed, 0)));
        _seed = seed;
    }

    public int Count => _slots.Count;

    /// <summary>Positions in the pool of slot <paramref name="slot"/>'s training samples and local test samples.</summary>
    public (int[] Train, int[] Test) Samples(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, Count);
        var held = _slots[slot];
        var (train, test) = DataSplits.LocalSplit(held.Length, LocalTestFraction, new Random(Sampling.DeriveSeed(_seed, 1, slot)));
        return ([.. train.Select(i => held[i])], [.. test.Select(i => held[i])]);
    }

    /// <summary>How many samples the holder of slot <paramref name="slot"/> trains on.</summary>
    public int TrainingSamples(int slot) => Samples(slot).Train.Length;

    /// <summary>Slot <paramref name="slot"/>'s training and local test sets, taken from the pool these slots were made for.</summary>
    public (Dataset Train, Dataset Test) Split(Dataset pool, int slot)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var (train, test) = Samples(slot);
        return (pool.Subset(train), pool.Subset(test));
    }
}
