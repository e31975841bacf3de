using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.TipSelection;
using static MlAspire.Tangle.Tests.TangleBuilder;

namespace MlAspire.Tangle.Tests.Consensus;

public class ReferenceSelectorTests
{
    [Fact]
    public void In_a_chain_the_reference_is_the_tip()
    {
        var graph = Chain(50);
        var reference = new ReferenceSelector(new UniformRandomTips()).Select(graph, new Random(1));
        Assert.Equal(49, reference.Sequence);
        Assert.Equal(1.0, reference.Confidence);
        Assert.Equal(49, reference.ApprovedAncestors);
    }

    /// <summary>Two tips approve m; with uniform sampling each tip has confidence ~1/2, m has 1 and one ancestor less than them.</summary>
    [Fact]
    public void The_confirmed_transaction_beats_half_confirmed_tips()
    {
        var graph = Chain(10);
        graph.Add(Tx("x", "t9"));
        graph.Add(Tx("y", "t9"));
        var ranked = new ReferenceSelector(new UniformRandomTips(), samples: 40).Rank(graph, new Random(3), 3);

        Assert.Equal("t9", graph[ranked[0].Sequence].Id);
        Assert.Equal(1.0, ranked[0].Confidence);
        Assert.Equal(9, ranked[0].ApprovedAncestors);
        Assert.Equal(["x", "y"], ranked.Skip(1).Select(c => graph[c.Sequence].Id).Order());
        Assert.Equal(1.0, ranked.Skip(1).Sum(c => c.Confidence), 6);
    }

    [Fact]
    public void Confidence_matches_a_brute_force_count_on_random_tangles()
    {
        var graph = TangleBuilder.Random(400, seed: 8);
        const int samples = 70; // more than one 64-bit word of marks
        var selector = new CumulativeWeightWalk(0.05, WalkStart.Genesis);

        var ranked = new ReferenceSelector(selector, samples).Rank(graph, new Random(5), int.MaxValue);

        // Replay the same walks and count by brute force which sampled tips approve each transaction.
        var replay = new Random(5);
        var tips = Enumerable.Range(0, samples).Select(_ => selector.SelectTip(graph, replay)).ToList();
        var bruteForce = Enumerable.Range(0, graph.Count).Select(s =>
            new ReferenceCandidate(s, tips.Count(t => t == s || graph.AncestorsOf(t).Contains(s)) / (double)samples, graph.AncestorCountOf(s))).ToList();
        var best = bruteForce.OrderByDescending(c => c.Score).ThenByDescending(c => c.Sequence).First();

        Assert.Equal(best, ranked[0]);
        foreach (var candidate in ranked)
            Assert.Equal(bruteForce[candidate.Sequence].Confidence, candidate.Confidence, 9);
    }

    [Fact]
    public void Sample_count_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReferenceSelector(new UniformRandomTips(), 0));
    }
}
