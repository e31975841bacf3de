using MlAspire.Tangle.Data;
using MlAspire.Tangle.Data.Partitioning;

namespace MlAspire.Tangle.Tests.Data;

public class DataSlotsTests
{
    /// <summary>Sample i has the single feature i, so a set's features name the pool samples it holds.</summary>
    private static Dataset Pool(int count = 600)
    {
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        new Random(5).Shuffle(labels);
        return new Dataset(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), labels, 1, 10);
    }

    [Theory]
    [InlineData("iid", 0)]
    [InlineData("dirichlet:0.5", 3)]
    [InlineData("shards:2", 4)]
    public void A_slot_holds_what_the_peer_loader_always_gave_it(string partition, int slot)
    {
        var pool = Pool();

        var (train, test) = new DataSlots(pool.Labels, pool.ClassCount, partition, 5, 7).Split(pool, slot);

        // The peer's loader before the slots had one definition: partition, take the slot, split 80/20.
        var partitions = Partitioners.Parse(partition).Partition(pool.Labels, pool.ClassCount, 5, new Random(Sampling.DeriveSeed(7, 0)));
        var (expectedTrain, expectedTest) = DataSplits.LocalSplit(pool.Subset(partitions[slot]), 0.2, new Random(Sampling.DeriveSeed(7, 1, slot)));
        Assert.Equal(expectedTrain.Features, train.Features);
        Assert.Equal(expectedTrain.Labels, train.Labels);
        Assert.Equal(expectedTest.Features, test.Features);
    }

    [Fact]
    public void Training_samples_count_the_slot_s_training_set_from_the_labels_alone()
    {
        var pool = Pool();
        var slots = new DataSlots(pool.Labels, pool.ClassCount, "dirichlet:0.5", 6, 11);

        var counts = Enumerable.Range(0, slots.Count).Select(slots.TrainingSamples).ToList();

        Assert.Equal(Enumerable.Range(0, slots.Count).Select(s => slots.Split(pool, s).Train.Count), counts);
        Assert.Equal(pool.Count, Enumerable.Range(0, slots.Count).Sum(s => slots.Samples(s).Train.Length + slots.Samples(s).Test.Length));
        Assert.True(counts.Distinct().Count() > 1, "a Dirichlet partition gives slots of different sizes");
    }

    [Fact]
    public void A_slot_outside_the_partition_is_refused()
    {
        var pool = Pool();
        var slots = new DataSlots(pool.Labels, pool.ClassCount, "iid", 3, 7);

        Assert.Throws<ArgumentOutOfRangeException>(() => slots.Samples(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => slots.Samples(-1));
    }
}
