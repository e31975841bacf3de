namespace MlAspire.Tangle.Data.Partitioning;

/// <summary>Splits a dataset's samples among peers.</summary>
public interface IPartitioner
{
    /// <summary>
    /// Per peer, the ascending indices of the samples it owns. The sets are disjoint, cover every sample,
    /// and none is empty. Requires at least as many samples as peers (shards need more; see each partitioner).
    /// </summary>
    IReadOnlyList<int[]> Partition(byte[] labels, int classCount, int peers, Random random);
}
