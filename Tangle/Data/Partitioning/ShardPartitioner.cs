namespace MlAspire.Tangle.Data.Partitioning;

/// <summary>
/// Pathological non-IID after McMahan et al. (2017): samples sorted by label are cut into
/// peers × <see cref="ShardsPerPeer"/> contiguous shards, dealt out at random, so each peer sees about that many classes.
/// Requires at least peers × ShardsPerPeer samples.
/// </summary>
public sealed class ShardPartitioner : IPartitioner
{
    public ShardPartitioner(int shardsPerPeer = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardsPerPeer, 1);
        ShardsPerPeer = shardsPerPeer;
    }

    public int ShardsPerPeer { get; }

    public IReadOnlyList<int[]> Partition(byte[] labels, int classCount, int peers, Random random)
    {
        Partitioners.CheckArguments(labels, classCount, peers, random, minimumSamples: (long)peers * ShardsPerPeer);
        // Sorted by label; within a class the order is random, so a shard is a random subset of its class.
        var byClass = Partitioners.IndicesByClass(labels, classCount);
        foreach (var members in byClass) random.Shuffle(members);
        var sorted = byClass.SelectMany(members => members).ToArray();

        var shardCount = peers * ShardsPerPeer;
        var shardStarts = new int[shardCount + 1];
        for (var s = 0; s < shardCount; s++)
            shardStarts[s + 1] = shardStarts[s] + sorted.Length / shardCount + (s < sorted.Length % shardCount ? 1 : 0);
        var deal = new int[shardCount];
        for (var s = 0; s < shardCount; s++) deal[s] = s;
        random.Shuffle(deal);

        var result = new int[peers][];
        for (var p = 0; p < peers; p++)
        {
            var shards = deal.AsSpan(p * ShardsPerPeer, ShardsPerPeer);
            var indices = new List<int>();
            foreach (var shard in shards)
                indices.AddRange(sorted.AsSpan(shardStarts[shard], shardStarts[shard + 1] - shardStarts[shard]));
            result[p] = [.. indices];
            Array.Sort(result[p]);
        }
        return result;
    }

    public override string ToString() => FormattableString.Invariant($"shards:{ShardsPerPeer}");
}
