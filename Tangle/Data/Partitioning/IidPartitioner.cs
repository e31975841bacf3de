namespace MlAspire.Tangle.Data.Partitioning;

/// <summary>Uniformly random equal-sized shares: every peer sees the overall label distribution.</summary>
public sealed class IidPartitioner : IPartitioner
{
    public IReadOnlyList<int[]> Partition(byte[] labels, int classCount, int peers, Random random)
    {
        Partitioners.CheckArguments(labels, classCount, peers, random, minimumSamples: peers);
        var order = new int[labels.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order);

        var result = new int[peers][];
        var start = 0;
        for (var p = 0; p < peers; p++)
        {
            // The first n mod peers peers take one extra sample.
            var size = labels.Length / peers + (p < labels.Length % peers ? 1 : 0);
            result[p] = order[start..(start + size)];
            Array.Sort(result[p]);
            start += size;
        }
        return result;
    }

    public override string ToString() => "iid";
}
