namespace MlAspire.Tangle.Data.Partitioning;

/// <summary>
/// Label skew after Hsu et al. (2019): each class is split over the peers in proportions drawn from
/// Dirichlet(α). Small α (0.1) gives each peer a few dominant classes; large α (100) approaches IID.
/// </summary>
public sealed class DirichletPartitioner : IPartitioner
{
    public DirichletPartitioner(double alpha)
    {
        if (!double.IsFinite(alpha) || alpha <= 0)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Dirichlet alpha must be positive and finite.");
        Alpha = alpha;
    }

    public double Alpha { get; }

    public IReadOnlyList<int[]> Partition(byte[] labels, int classCount, int peers, Random random)
    {
        Partitioners.CheckArguments(labels, classCount, peers, random, minimumSamples: peers);
        var owned = new List<int>[peers];
        for (var p = 0; p < peers; p++) owned[p] = [];
        var proportions = new double[peers];

        foreach (var members in Partitioners.IndicesByClass(labels, classCount))
        {
            random.Shuffle(members);
            Sampling.NextDirichlet(Alpha, proportions, random);
            var cumulative = 0.0;
            var start = 0;
            for (var p = 0; p < peers; p++)
            {
                cumulative += proportions[p];
                // Cut at rounded cumulative shares, so rounding errors do not accumulate; the last peer takes the rest.
                var end = p == peers - 1 ? members.Length : Math.Clamp((int)Math.Round(cumulative * members.Length), start, members.Length);
                owned[p].AddRange(members.AsSpan(start, end - start));
                start = end;
            }
        }

        // Small α often leaves a peer empty. Each empty peer takes one random sample from the largest peer,
        // which keeps the skew (resampling until none is empty may never finish for many peers and small α).
        // The largest peer always has two or more: the other peers hold at least as many samples as there are peers.
        for (var p = 0; p < peers; p++)
        {
            if (owned[p].Count > 0) continue;
            var donor = owned.MaxBy(o => o.Count)!;
            var taken = random.Next(donor.Count);
            owned[p].Add(donor[taken]);
            donor[taken] = donor[^1];
            donor.RemoveAt(donor.Count - 1);
        }

        return owned.Select(o =>
        {
            var indices = o.ToArray();
            Array.Sort(indices);
            return indices;
        }).ToArray();
    }

    public override string ToString() => FormattableString.Invariant($"dirichlet:{Alpha}");
}
