using MlAspire.Peer.Network;

namespace MlAspire.Peer.Tests.Network;

public class FollowSelectionTests
{
    private static List<string> Members(int count) => [.. Enumerable.Range(0, count).Select(i => $"peer-{i * 7919 % 1000:D3}-{i}")];

    [Fact]
    public void A_small_network_is_followed_whole()
    {
        var members = Members(9);
        var chosen = new FollowSelection(members[0], 8, new Random(1)).Choose(members);
        Assert.Equal(members.Skip(1).Order(), chosen.Order());
    }

    [Fact]
    public void In_a_large_network_each_peer_follows_the_degree_and_every_peer_is_followed_by_at_least_half_of_it()
    {
        var members = Members(50);
        var followedBy = members.ToDictionary(m => m, _ => 0);
        foreach (var self in members)
        {
            var chosen = new FollowSelection(self, 8, new Random(self.GetHashCode())).Choose(members);
            Assert.Equal(8, chosen.Count);
            Assert.DoesNotContain(self, chosen);
            foreach (var followed in chosen)
                followedBy[followed]++;
        }
        Assert.All(followedBy.Values, count => Assert.True(count >= 4, $"followed by {count}"));
    }

    [Fact]
    public void Random_choices_stay_while_their_members_stay_and_a_member_that_left_is_replaced()
    {
        var members = Members(50);
        var selection = new FollowSelection(members[0], 8, new Random(3));
        var first = selection.Choose(members);
        Assert.Equal(first.Order(), selection.Choose(members.AsEnumerable().Reverse()).Order());

        var gone = first.First();
        var remaining = members.Where(m => m != gone).ToList();
        var next = selection.Choose(remaining);
        Assert.Equal(8, next.Count);
        Assert.DoesNotContain(gone, next);
        Assert.True(first.Intersect(next).Count() >= 6, "only the departed member's slot (and at most one ring neighbour) changes");
    }

    [Fact]
    public void The_messages_a_network_exchanges_grow_with_its_size_not_its_square()
    {
        // Each peer receives one copy of each transaction from every member it follows.
        foreach (var size in new[] { 16, 50, 200 })
        {
            var members = Members(size);
            var perPeer = members.Average(self => new FollowSelection(self, 8, new Random(5)).Choose(members).Count);
            Assert.Equal(Math.Min(8, size - 1), perPeer);
        }
    }

    [Fact]
    public void A_cursor_advances_only_without_gaps_from_a_live_stream()
    {
        var cursor = new FollowCursor();
        cursor.AdvanceIfNext(0);
        cursor.AdvanceIfNext(1);
        cursor.AdvanceIfNext(3); // 2 was skipped: left to catch-up
        Assert.Equal(1, cursor.Sequence);
        cursor.AdvanceTo(10);
        cursor.AdvanceTo(4); // never back
        Assert.Equal(10, cursor.Sequence);
    }

    [Fact]
    public void Peers_started_together_redraw_at_times_spread_around_the_interval()
    {
        var random = new Random(5);
        var delays = Enumerable.Range(0, 1000).Select(_ => GossipService.RedrawDelay(random)).ToList();
        Assert.All(delays, d => Assert.InRange(d, GossipService.RedrawInterval * 0.5, GossipService.RedrawInterval * 1.5));
        Assert.InRange(delays.Average(d => d.TotalMinutes), 9.5, 10.5);
        // Fifty peers started together: their first redraws fall in many different minutes, not in one.
        Assert.True(delays.Take(50).Select(d => (int)d.TotalMinutes).Distinct().Count() >= 8);
    }
}
