using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Tests.Data;

public class DataSplitsTests
{
    /// <summary>Sample i has the single feature i, so a split's features name the samples it holds.</summary>
    private static Dataset Numbered(int count) =>
        new(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), Enumerable.Range(0, count).Select(i => (byte)(i % 3)).ToArray(), 1, 3);

    [Fact]
    public void Hold_out_keeps_the_first_samples_for_training_and_the_rest_for_testing()
    {
        var (train, test) = DataSplits.HoldOut(Numbered(10), 8);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (float)i), train.Features);
        Assert.Equal([8f, 9f], test.Features);
        Assert.Equal([2, 0], test.Labels);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplits.HoldOut(Numbered(10), 11));
    }

    [Fact]
    public void Local_split_is_a_shuffled_partition_of_the_requested_size()
    {
        var (train, test) = DataSplits.LocalSplit(Numbered(100), 0.2, new Random(1));

        Assert.Equal(80, train.Count);
        Assert.Equal(20, test.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), train.Features.Concat(test.Features).Order());
        Assert.NotEqual(train.Features.Order(), train.Features); // shuffled, not the first 80
    }

    [Theory]
    [InlineData(2, 0.1, 1, 1)]
    [InlineData(2, 0.9, 1, 1)]
    [InlineData(5, 0.01, 4, 1)]
    [InlineData(5, 0.99, 1, 4)]
    [InlineData(1, 0.5, 1, 0)]
    [InlineData(0, 0.5, 0, 0)]
    public void Local_split_puts_a_sample_on_each_side_when_possible(int count, double testFraction, int trainCount, int testCount)
    {
        var (train, test) = DataSplits.LocalSplit(Numbered(count), testFraction, new Random(0));

        Assert.Equal(trainCount, train.Count);
        Assert.Equal(testCount, test.Count);
    }

    [Fact]
    public void Local_split_is_deterministic_for_a_seed_and_validates_the_fraction()
    {
        Assert.Equal(DataSplits.LocalSplit(Numbered(50), 0.3, new Random(7)).Test.Features, DataSplits.LocalSplit(Numbered(50), 0.3, new Random(7)).Test.Features);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplits.LocalSplit(Numbered(10), 0, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplits.LocalSplit(Numbered(10), 1, new Random(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplits.LocalSplit(Numbered(10), double.NaN, new Random(0)));
    }
}
