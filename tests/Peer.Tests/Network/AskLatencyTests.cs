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
    public void A_loaded_network_is_hedged_at_its_95th_percentile_not_at_the_floor()
    {
        // 64 answers: 60 at 500 ms, 4 at 1,500 ms; the 95th percentile (the 61st of 64) is 1,500 ms.
        var latency = After([.. Enumerable.Repeat(500.0, 30), .. Enumerable.Repeat(1_500.0, 4), .. Enumerable.Repeat(500.0, 30)]);
        Assert.Equal(TimeSpan.FromMilliseconds(1_500), latency.HedgeDelay);
    }

    [Fact]
    public void Fast_answers_never_bring_it_below_the_floor() =>
        Assert.Equal(AskLatency.Floor, After([.. Enumerable.Repeat(5.0, 64)]).HedgeDelay);

    [Fact]
    public void A_neighbour_answering_slowly_on_purpose_cannot_push_it_past_the_ceiling() =>
        Assert.Equal(AskLatency.Ceiling, After([.. Enumerable.Repeat(60_000.0, 64)]).HedgeDelay);

    [Fact]
    public void Old_answers_leave_the_window_when_the_load_passes()
    {
        var latency = After([.. Enumerable.Repeat(1_800.0, 64), .. Enumerable.Repeat(400.0, 64)]);
        Assert.Equal(TimeSpan.FromMilliseconds(400), latency.HedgeDelay);
    }
}
