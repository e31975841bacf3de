using MlAspire.Tangle.Data.Partitioning;

namespace MlAspire.Tangle.Tests.Data;

public class PartitionerTests
{
    private const int Classes = 10;

    /// <summary>2,000 balanced labels in a scrambled order.</summary>
    private static byte[] Labels(int count = 2000)
    {
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % Classes)).ToArray();
        new Random(123).Shuffle(labels);
        return labels;
    }

    [Theory]
    [InlineData("iid", 20)]
    [InlineData("iid", 7)]
    [InlineData("dirichlet:0.1", 20)]
    [InlineData("dirichlet:100", 20)]
    [InlineData("shards:2", 20)]
    [InlineData("shards:3", 7)]
    public void Partitions_are_disjoint_complete_sorted_and_non_empty(string spec, int peers)
    {
        var labels = Labels();

        var partition = Partitioners.Parse(spec).Partition(labels, Classes, peers, new Random(1));

        Assert.Equal(peers, partition.Count);
        Assert.All(partition, indices => Assert.NotEmpty(indices));
        Assert.All(partition, indices => Assert.Equal(indices.Order(), indices));
        Assert.Equal(Enumerable.Range(0, labels.Length), partition.SelectMany(i => i).Order());
    }

    [Fact]
    public void Iid_shares_differ_in_size_by_at_most_one()
    {
        var partition = new IidPartitioner().Partition(Labels(), Classes, 7, new Random(1));
        Assert.InRange(partition.Max(p => p.Length) - partition.Min(p => p.Length), 0, 1);
    }

    [Fact]
    public void Small_dirichlet_alpha_skews_labels_and_large_alpha_is_near_uniform()
    {
        var labels = Labels();

        var skewed = new DirichletPartitioner(0.1).Partition(labels, Classes, 10, new Random(2));
        var uniform = new DirichletPartitioner(1000).Partition(labels, Classes, 10, new Random(2));

        Assert.True(MeanDominantShare(skewed, labels) > 0.6, $"Dominant share {MeanDominantShare(skewed, labels)}.");
        Assert.True(MeanDominantShare(uniform, labels) < 0.15, $"Dominant share {MeanDominantShare(uniform, labels)}.");
        Assert.All(uniform, indices => Assert.InRange(indices.Length, 170, 230));
    }

    [Fact]
    public void Dirichlet_never_leaves_a_peer_empty_even_with_tiny_alpha_and_many_peers()
    {
        var labels = Labels(200);

        var partition = new DirichletPartitioner(0.01).Partition(labels, Classes, 200, new Random(3));

        Assert.All(partition, indices => Assert.Single(indices));
    }

    [Fact]
    public void Shards_give_each_peer_equal_size_and_at_most_shards_per_peer_classes()
    {
        var labels = Labels();

        var partition = new ShardPartitioner(2).Partition(labels, Classes, 20, new Random(4));

        // 40 shards of 50 never straddle the 200-sample classes, so every peer has one or two classes.
        Assert.All(partition, indices => Assert.Equal(100, indices.Length));
        Assert.All(partition, indices => Assert.InRange(indices.Select(i => labels[i]).Distinct().Count(), 1, 2));
        Assert.True(partition.Count(indices => indices.Select(i => labels[i]).Distinct().Count() == 2) >= 10);
    }

    [Theory]
    [InlineData("iid")]
    [InlineData("dirichlet:0.5")]
    [InlineData("shards:2")]
    public void Same_seed_gives_the_same_partition(string spec)
    {
        var partitioner = Partitioners.Parse(spec);
        var labels = Labels();

        Assert.Equal(partitioner.Partition(labels, Classes, 10, new Random(5)), partitioner.Partition(labels, Classes, 10, new Random(5)));
        Assert.NotEqual(partitioner.Partition(labels, Classes, 10, new Random(5)), partitioner.Partition(labels, Classes, 10, new Random(6)));
    }

    [Fact]
    public void Too_few_samples_for_the_peers_are_rejected()
    {
        var labels = Labels(10);
        Assert.Throws<ArgumentException>(() => new IidPartitioner().Partition(labels, Classes, 11, new Random(0)));
        Assert.Throws<ArgumentException>(() => new DirichletPartitioner(1).Partition(labels, Classes, 11, new Random(0)));
        Assert.Throws<ArgumentException>(() => new ShardPartitioner(2).Partition(labels, Classes, 6, new Random(0)));
    }

    [Theory]
    [InlineData("iid", typeof(IidPartitioner), "iid")]
    [InlineData(" IID ", typeof(IidPartitioner), "iid")]
    [InlineData("dirichlet:0.5", typeof(DirichletPartitioner), "dirichlet:0.5")]
    [InlineData("Dirichlet: 1e-1", typeof(DirichletPartitioner), "dirichlet:0.1")]
    [InlineData("shards:2", typeof(ShardPartitioner), "shards:2")]
    [InlineData("shards:5", typeof(ShardPartitioner), "shards:5")]
    public void Parser_accepts_each_form_and_round_trips_through_ToString(string text, Type type, string canonical)
    {
        var partitioner = Partitioners.Parse(text);

        Assert.IsType(type, partitioner);
        Assert.Equal(canonical, partitioner.ToString());
        Assert.Equal(canonical, Partitioners.Parse(canonical).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("random")]
    [InlineData("iid:2")]
    [InlineData("dirichlet")]
    [InlineData("dirichlet:")]
    [InlineData("dirichlet:0")]
    [InlineData("dirichlet:-1")]
    [InlineData("dirichlet:abc")]
    [InlineData("dirichlet:Infinity")]
    [InlineData("dirichlet:0.5:1")]
    [InlineData("shards:0")]
    [InlineData("shards:1.5")]
    [InlineData("shards:-2")]
    public void Parser_rejects_bad_input_listing_the_accepted_forms(string text)
    {
        var error = Assert.Throws<FormatException>(() => Partitioners.Parse(text));
        Assert.Contains($"\"{text}\"", error.Message);
        Assert.Contains("dirichlet:<alpha>", error.Message);
    }

    private static double MeanDominantShare(IReadOnlyList<int[]> partition, byte[] labels) =>
        partition.Average(indices => indices.GroupBy(i => labels[i]).Max(g => g.Count()) / (double)indices.Length);
}
