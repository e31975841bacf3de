using MlAspire.Tangle.Aggregation;

namespace MlAspire.Tangle.Tests.Aggregation;

public class SortingNetworkTests
{
    [Fact]
    public void Every_count_of_models_the_network_serves_is_sorted()
    {
        var random = new Random(5);
        for (var count = 1; count <= Coordinates.NetworkLimit; count++)
        {
            var network = Coordinates.OddEvenMergeSort(count);
            // The 0-1 principle: a network that sorts every sequence of zeros and ones sorts everything. Exhaustive
            // up to 16 values; beyond that random sequences, with ties, of zeros and ones and of any values.
            var exhaustive = count <= 16;
            var trials = exhaustive ? 1 << count : 20_000;
            for (var t = 0; t < trials; t++)
            {
                var values = exhaustive
                    ? [.. Enumerable.Range(0, count).Select(bit => (float)((t >> bit) & 1))]
                    : Enumerable.Range(0, count).Select(_ => (float)(t % 2 == 0 ? random.Next(2) : random.Next(-5, 5))).ToArray();
                var expected = values.Order().ToArray();
                foreach (var (low, high) in network)
                    if (values[low] > values[high])
                        (values[low], values[high]) = (values[high], values[low]);
                Assert.True(expected.SequenceEqual(values), $"{count} values: [{string.Join(", ", values)}] not sorted");
            }
        }
    }

    [Theory]
    [InlineData(8, 19)]
    [InlineData(16, 63)]
    public void Batcher_s_network_for_a_step_s_parents_and_a_reference_has_its_known_size(int count, int comparators) =>
        Assert.Equal(comparators, Coordinates.OddEvenMergeSort(count).Length);
}
