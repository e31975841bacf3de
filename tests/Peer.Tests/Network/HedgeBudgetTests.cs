using MlAspire.Peer.Network;

namespace MlAspire.Peer.Tests.Network;

public class HedgeBudgetTests
{
    [Fact]
    public void A_burst_of_ten_hedges_is_on_hand_from_the_start_and_then_none()
    {
        var budget = new HedgeBudget();
        Assert.Equal(HedgeBudget.Burst, Enumerable.Range(0, 50).Count(_ => budget.TrySpend()));
        Assert.False(budget.TrySpend());
    }

    [Fact]
    public void Each_ten_blocks_fetched_earn_one_hedge()
    {
        var budget = new HedgeBudget();
        while (budget.TrySpend()) { }
        for (var i = 0; i < HedgeBudget.FetchesPerHedge - 1; i++)
            budget.Fetched();
        Assert.False(budget.TrySpend());
        budget.Fetched();
        Assert.True(budget.TrySpend());
        Assert.False(budget.TrySpend());
    }

    [Fact]
    public void Fetches_never_save_up_more_than_the_burst()
    {
        var budget = new HedgeBudget();
        for (var i = 0; i < 10_000; i++)
            budget.Fetched();
        Assert.Equal(HedgeBudget.Burst, budget.Available);
    }

    [Fact]
    public void Spent_from_many_threads_at_once_it_gives_out_exactly_what_was_earned()
    {
        var budget = new HedgeBudget();
        while (budget.TrySpend()) { }
        var spent = 0;
        // 8 threads each fetch 1,000 blocks and try to hedge after every one: 800 hedges earned in all, and what is not
        // spent is still on hand (none spent twice, none lost; the balance stays far under the burst).
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                budget.Fetched();
                if (budget.TrySpend()) Interlocked.Increment(ref spent);
            }
        });
        Assert.Equal(800, spent + budget.Available);
    }
}
