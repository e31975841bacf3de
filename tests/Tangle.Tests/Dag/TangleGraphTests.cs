using MlAspire.Tangle.Dag;
using MlAspire.Tangle.TipSelection;
using static MlAspire.Tangle.Tests.TangleBuilder;

namespace MlAspire.Tangle.Tests.Dag;

public class TangleGraphTests
{
    [Fact]
    public void Genesis_is_the_only_tip_of_a_new_tangle()
    {
        var graph = Genesis();
        Assert.Equal(1, graph.Count);
        Assert.Equal([0], graph.Tips);
        Assert.Equal(1, graph.CumulativeWeightOf(0));
        Assert.Equal(0, graph.AncestorCountOf(0));
    }

    [Fact]
    public void Adding_updates_tips_approvers_weights_and_ancestors()
    {
        var graph = Genesis();
        graph.Add(Tx("a", "g"));
        graph.Add(Tx("b", "g"));
        var result = graph.Add(Tx("c", "a", "b"));

        Assert.Equal(AddStatus.Added, result.Status);
        Assert.Equal(["c"], graph.Tips.Select(t => graph[t].Id));
        Assert.Equal(4, graph.CumulativeWeightOf(0));
        Assert.Equal(2, graph.CumulativeWeightOf(1));
        Assert.Equal(3, graph.AncestorCountOf(3));
        Assert.Equal(2, graph.HeightOf(3));
        Assert.Equal(new[] { 2, 1 }.Order(), Approvers(graph, 0).Order());
    }

    [Fact]
    public void Duplicates_are_idempotent()
    {
        var graph = Genesis();
        Assert.Equal(AddStatus.Added, graph.Add(Tx("a", "g")).Status);
        Assert.Equal(AddStatus.Duplicate, graph.Add(Tx("a", "g")).Status);
        Assert.Equal(AddStatus.Duplicate, graph.Add(Tx("g")).Status);
        Assert.Equal(2, graph.Count);
        Assert.Equal(2, graph.CumulativeWeightOf(0));
    }

    [Fact]
    public void A_transaction_with_unknown_parents_is_held_until_they_arrive_in_any_order()
    {
        var graph = Genesis();
        var held = graph.Add(Tx("c", "a", "b"));
        Assert.Equal(AddStatus.Pending, held.Status);
        Assert.Equal(["a", "b"], held.MissingParents);
        Assert.Equal(AddStatus.Pending, graph.Add(Tx("b", "a")).Status);
        Assert.Equal(["a"], graph.MissingParents);
        Assert.Equal(AddStatus.Duplicate, graph.Add(Tx("c", "a", "b")).Status);
        Assert.Equal(1, graph.Count);

        var released = graph.Add(Tx("a", "g"));

        Assert.Equal(AddStatus.Added, released.Status);
        Assert.Equal(["a", "b", "c"], released.Inserted.Select(t => t.Id));
        Assert.Equal(0, graph.PendingCount);
        Assert.Empty(graph.MissingParents);
        Assert.Equal(["c"], graph.Tips.Select(t => graph[t].Id));
    }

    [Theory]
    [InlineData("", "g", "id is empty")]
    [InlineData("x", "x", "approves itself")]
    public void Invalid_transactions_are_rejected_with_a_reason(string id, string parent, string reason)
    {
        var graph = Genesis();
        var result = graph.Add(Tx(id, parent));
        Assert.Equal(AddStatus.Rejected, result.Status);
        Assert.Contains(reason, result.Error);
        Assert.Equal(1, graph.Count);
    }

    [Fact]
    public void Parent_rules_are_enforced()
    {
        var graph = Genesis(new TangleOptions(MaxParents: 2));
        Assert.Contains("only genesis", graph.Add(Tx("a")).Error);
        Assert.Contains("twice", graph.Add(Tx("a", "g", "g")).Error);
        Assert.Contains("at most 2", graph.Add(Tx("a", "g", "x", "y")).Error);
        Assert.Contains("no weights id", graph.Add(Tx("a", "g") with { WeightsId = "" }).Error);
        Assert.Contains("null", graph.Add(null!).Error);
    }

    [Fact]
    public void Held_transactions_are_bounded()
    {
        var graph = Genesis(new TangleOptions(MaxPending: 2));
        graph.Add(Tx("a", "missing1"));
        graph.Add(Tx("b", "missing2"));
        var third = graph.Add(Tx("c", "missing3"));
        Assert.Equal(AddStatus.Rejected, third.Status);
        Assert.Contains("limit 2", third.Error);
        Assert.Equal(2, graph.PendingCount);
    }

    [Fact]
    public void A_cycle_can_never_be_inserted()
    {
        var graph = Genesis();
        Assert.Equal(AddStatus.Pending, graph.Add(Tx("a", "b")).Status);
        Assert.Equal(AddStatus.Pending, graph.Add(Tx("b", "a")).Status);
        Assert.Equal(1, graph.Count);
        Assert.Equal(2, graph.PendingCount);
        for (var s = 1; s < graph.Count; s++)
            foreach (var p in graph.ParentsOf(s))
                Assert.True(p < s);
    }

    [Fact]
    public void A_million_transaction_chain_neither_overflows_the_stack_nor_slows_down()
    {
        const int length = 1_000_000;
        var graph = Chain(length);

        Assert.Equal(length, graph.Count);
        Assert.Equal([length - 1], graph.Tips);
        Assert.Equal(length - 1, graph.HeightOf(length - 1));
        Assert.Equal(length - 1, graph.AncestorCountOf(length - 1)); // exact for a chain, beyond the horizon too
        Assert.Equal(graph.Options.WeightHorizon + 1, graph.CumulativeWeightOf(0));
        Assert.Equal(length - 1, graph.AncestorsOf(length - 1).Count);
        Assert.Equal(length - 1, graph.FutureSetOf(0).Count);
        var walk = new CumulativeWeightWalk(0.001, WalkStart.Genesis);
        Assert.Equal(length - 1, walk.SelectTip(graph, new Random(1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_tangles_keep_their_invariants(int seed)
    {
        var random = new Random(seed);
        var horizon = random.Next(5, 80);
        var graph = TangleBuilder.Random(random.Next(50, 400), seed, new TangleOptions(WeightHorizon: horizon), window: random.Next(2, 20));

        for (var s = 0; s < graph.Count; s++)
        {
            var future = graph.FutureSetOf(s);
            var ancestors = graph.AncestorsOf(s);
            // Tips are exactly the transactions nobody approves.
            Assert.Equal(future.Count == 0, graph.IsTip(s));
            Assert.Equal(graph.ApproversOf(s).IsEmpty, graph.IsTip(s));
            // Every parent edge goes back in arrival order, and genesis is everybody's ancestor.
            foreach (var p in graph.ParentsOf(s))
                Assert.True(p < s);
            Assert.True(s == 0 || ancestors.Contains(0));
            Assert.DoesNotContain(s, ancestors);
            // Cumulative weight counts the future set within the horizon, exactly.
            Assert.Equal(1 + future.Count(f => f - s <= horizon), graph.CumulativeWeightOf(s));
            // Ancestor counts are exact while the whole past lies within the horizon.
            if (s <= horizon)
                Assert.Equal(ancestors.Count, graph.AncestorCountOf(s));
            // Height is the longest path from genesis.
            Assert.Equal(s == 0 ? 0 : graph.ParentsOf(s).ToArray().Max(p => graph.HeightOf(p)) + 1, graph.HeightOf(s));
        }
    }

    [Fact]
    public void Shuffled_delivery_builds_the_same_tangle()
    {
        var original = TangleBuilder.Random(300, seed: 11);
        var transactions = Enumerable.Range(1, original.Count - 1).Select(s => original[s]).ToList();
        var order = new Random(5);
        var shuffled = transactions.OrderBy(_ => order.Next()).ToList();

        var replica = Genesis();
        foreach (var t in shuffled)
            Assert.NotEqual(AddStatus.Rejected, replica.Add(t).Status);

        Assert.Equal(original.Count, replica.Count);
        Assert.Equal(0, replica.PendingCount);
        Assert.Equal(original.Tips.Select(t => original[t].Id).Order(), replica.Tips.Select(t => replica[t].Id).Order());
        foreach (var t in transactions)
        {
            original.TryGetSequence(t.Id, out var a);
            replica.TryGetSequence(t.Id, out var b);
            Assert.Equal(original.FutureSetOf(a).Count, replica.FutureSetOf(b).Count);
        }
    }

    private static List<int> Approvers(TangleGraph graph, int sequence)
    {
        var list = new List<int>();
        foreach (var a in graph.ApproversOf(sequence))
            list.Add(a);
        return list;
    }
}
