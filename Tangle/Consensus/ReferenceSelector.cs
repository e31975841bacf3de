using System.Numerics;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.TipSelection;

namespace MlAspire.Tangle.Consensus;

/// <summary>A candidate for the reference model: how many sampled walks ended in its future cone, and how much it approves.</summary>
public readonly record struct ReferenceCandidate(int Sequence, double Confidence, long ApprovedAncestors)
{
    public double Score => Confidence * ApprovedAncestors;
}

/// <summary>
/// Picks the consensus ("reference") model: sample tips with a selector; a transaction's confidence is the share of
/// samples that approve it (directly, indirectly, or by being it); rank by confidence × approved ancestors.
/// </summary>
/// <remarks>
/// Works backwards from the sampled tips in decreasing sequence (so every approver is visited before what it approves),
/// carrying a bit per sample. A transaction every sample approves dominates its whole past (same confidence, fewer
/// ancestors), so the search stops where the samples' pasts have merged: its cost depends on the tangle's width, not size.
/// Dominated transactions are never ranked, so the top-k are the confirmed frontier and the unconfirmed candidates above it.
/// </remarks>
public sealed class ReferenceSelector(ITipSelector tipSelector, int samples = 25)
{
    public int Samples { get; } = samples > 0 ? samples : throw new ArgumentOutOfRangeException(nameof(samples), samples, "At least one sample is needed.");

    public ReferenceCandidate Select(TangleGraph graph, Random random) => Rank(graph, random, 1)[0];

    /// <summary><see cref="Samples"/> tips drawn by the selector: what <see cref="Rank(TangleGraph, IReadOnlyList{int}, int)"/> measures confidence by.</summary>
    public IReadOnlyList<int> SampleTips(TangleGraph graph, Random random)
    {
        var tips = new int[Samples];
        for (var sample = 0; sample < Samples; sample++)
            tips[sample] = tipSelector.SelectTip(graph, random);
        return tips;
    }

    /// <summary>The best <paramref name="count"/> candidates, best first (ties go to the later transaction).</summary>
    public IReadOnlyList<ReferenceCandidate> Rank(TangleGraph graph, Random random, int count) => Rank(graph, SampleTips(graph, random), count);

    /// <summary>As the other overload, on tips already sampled (one per sample).</summary>
    public static IReadOnlyList<ReferenceCandidate> Rank(TangleGraph graph, IReadOnlyList<int> sampledTips, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampledTips.Count, 1);
        var samples = sampledTips.Count;
        var words = (samples + 63) / 64;
        var marks = new Dictionary<int, ulong[]?>(); // null mark = dominated
        var queue = new PriorityQueue<int, int>();
        var live = 0;

        for (var sample = 0; sample < samples; sample++)
        {
            var tip = sampledTips[sample];
            if (!marks.TryGetValue(tip, out var mask))
            {
                marks[tip] = mask = new ulong[words];
                queue.Enqueue(tip, -tip);
                live++;
            }
            mask![sample / 64] |= 1UL << (sample % 64);
        }

        var candidates = new List<ReferenceCandidate>();
        while (live > 0 && queue.TryDequeue(out var current, out _))
        {
            var mask = marks[current];
            if (mask is null)
            {
                foreach (var parent in graph.ParentsOf(current))
                    MarkDominated(parent);
                continue;
            }
            live--;
            var hits = mask.Sum(w => BitOperations.PopCount(w));
            candidates.Add(new ReferenceCandidate(current, (double)hits / samples, graph.AncestorCountOf(current)));
            var confirmed = hits == samples;
            foreach (var parent in graph.ParentsOf(current))
            {
                if (confirmed)
                    MarkDominated(parent);
                else
                    Carry(parent, mask);
            }
        }

        return candidates
            .OrderByDescending(c => c.Score)
            .ThenByDescending(c => c.Sequence)
            .Take(count)
            .ToList();

        void MarkDominated(int sequence)
        {
            if (marks.TryGetValue(sequence, out var existing))
            {
                if (existing is null) return;
                live--; // queued as live, now known to be dominated
            }
            else
            {
                queue.Enqueue(sequence, -sequence);
            }
            marks[sequence] = null;
        }

        void Carry(int sequence, ulong[] mask)
        {
            if (!marks.TryGetValue(sequence, out var existing))
            {
                marks[sequence] = (ulong[])mask.Clone();
                queue.Enqueue(sequence, -sequence);
                live++;
                return;
            }
            if (existing is null) return;
            for (var w = 0; w < mask.Length; w++)
                existing[w] |= mask[w];
        }
    }
}
