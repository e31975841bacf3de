using MlAspire.Peer.Network;

namespace MlAspire.Peer.Tests.Network;

public class AskLatencyTests
{
    private static AskLatency After(params double[] milliseconds)
    {
        var latency = new AskLatency();
        foreach (var ms in milliseconds)
            latency.Answered(TimeSpan.FromMilliseconds(ms));
        return latency;
    }

    [Fact]
    public void Before_any_answer_it_hedges_at_the_floor() =>
        Assert.Equal(AskLatency.Floor, new AskLatency().HedgeDelay);

    [Fact]
    public void A_loaded_network_is_hedged_at_its_75th_percentile_not_at_the_floor()
    {
        // 64 answers: 40 at 400 ms, 24 at 800 ms; the 75th percentile (the 48th of 64) is 800 ms.
        var latency = After([.. Enumerable.Repeat(400.0, 20), .. Enumerable.Repeat(800.0, 24), .. Enumerable.Repeat(400.0, 20)]);
        Assert.Equal(TimeSpan.FromMilliseconds(800), latency.HedgeDelay);
    }

    [Fact]
    public void A_slow_neighbour_winning_only_its_own_blocks_does_not_move_it()
    {
        // One member of eight answers its own blocks (an eighth of them) just under the 3 s deadline; the others at 50 ms.
        var latency = After([.. Enumerable.Range(0, 64).Select(i => i % 8 == 0 ? 2_900.0 : 50.0)]);
        Assert.Equal(AskLatency.Floor, latency.HedgeDelay);
    }

    [Fact]
    public void Fast_answers_never_bring_it_below_the_floor() =>
        Assert.Equal(AskLatency.Floor, After([.. Enumerable.Repeat(5.0, 64)]).HedgeDelay);

    [Fact]
    public void Answers_near_the_deadline_cannot_push_it_past_the_ceiling() =>
        Assert.Equal(AskLatency.Ceiling, After([.. Enumerable.Repeat(2_900.0, 64)]).HedgeDelay);

    [Fact]
    public void Old_answers_leave_the_window_when_the_load_passes()
    {
        var latency = After([.. Enumerable.Repeat(900.0, 64), .. Enumerable.Repeat(400.0, 64)]);
        Assert.Equal(TimeSpan.FromMilliseconds(400), latency.HedgeDelay);
    }
}
