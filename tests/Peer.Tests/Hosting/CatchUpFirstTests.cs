using MlAspire.Peer.Engine;
using MlAspire.Peer.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace MlAspire.Peer.Tests.Hosting;

/// <summary>
/// A peer whose intake runs behind skips training to catch up (<see cref="CatchUpFirst"/>), judged by how long live
/// arrivals waited on their way in (<see cref="ArrivalDelays"/>): creators' clock offsets and this peer's own clock
/// steps cancel, half of the creators cannot fake a backlog, and a peer is never kept from training for more than a
/// few steps in a row.
/// </summary>
public sealed class CatchUpFirstTests
{
    private static readonly TimeSpan MaxDelay = CatchUpFirst.DefaultMaxDelay;

    // At the start of a base period, so that a test crosses a period's boundary only where it says so.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20_000));
    private readonly SteppedClock _clock;
    private readonly ArrivalDelays _delays;

    public CatchUpFirstTests()
    {
        _clock = new SteppedClock(_time);
        _delays = new ArrivalDelays(_clock);
    }

    /// <summary>The creators' clock: the true time, which this peer's wall clock shows unless a test steps it.</summary>
    private DateTimeOffset TrueNow => _time.GetUtcNow();

    /// <summary>One arrival per creator, <paramref name="waited"/> after its creator's clock said it was created.</summary>
    private void Round(IReadOnlyList<(string Creator, TimeSpan ClockOffset)> creators, Func<int, TimeSpan> waited)
    {
        for (var i = 0; i < creators.Count; i++)
        {
            var (creator, offset) = creators[i];
            _delays.Arrived(creator, (TrueNow - waited(i) + offset).ToUnixTimeMilliseconds());
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Clocks from 40 s behind this peer's to 0.7 s ahead of it.</summary>
    private static List<(string, TimeSpan)> Creators(int count) =>
        Enumerable.Range(0, count).Select(i => ($"creator-{i}", i % 2 == 0 ? TimeSpan.FromSeconds(i - 40) : TimeSpan.FromMilliseconds(100 * i))).ToList();

    private void FallBehind(List<(string, TimeSpan)> creators, TimeSpan by)
    {
        for (var round = 0; round < 3; round++)
            Round(creators, _ => TimeSpan.FromMilliseconds(200));
        for (var round = 0; round < 3; round++)
            Round(creators, _ => by);
    }

    [Fact]
    public void Clock_offsets_cancel_and_a_backlog_shows_as_the_wait_beyond_each_creators_fastest()
    {
        var creators = Creators(8);
        for (var round = 0; round < 4; round++)
            Round(creators, _ => TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.Zero, _delays.Median());
        Assert.Null(new CatchUpFirst(_delays, MaxDelay).Skip());

        Round(creators, _ => TimeSpan.FromSeconds(12));
        Assert.InRange(_delays.Median()!.Value, TimeSpan.FromSeconds(11.79), TimeSpan.FromSeconds(11.81));
        Assert.NotNull(new CatchUpFirst(_delays, MaxDelay).Skip());
    }

    [Fact]
    public void Half_of_the_creators_backdating_at_any_rate_cannot_make_a_peer_skip_but_more_than_half_can()
    {
        var creators = Creators(8);
        var gate = new CatchUpFirst(_delays, MaxDelay);
        for (var round = 1; round <= 6; round++)
        {
            // Four of eight claim ever older creation times, three times each per round, as if they waited ever longer.
            for (var burst = 0; burst < 3; burst++)
                Round(creators[..4], _ => TimeSpan.FromSeconds(8 * round));
            Round(creators[4..], _ => TimeSpan.FromMilliseconds(300));
            Assert.Null(gate.Skip());
        }

        Round(creators[4..5], _ => TimeSpan.FromSeconds(30));
        Assert.NotNull(gate.Skip());
    }

    [Fact]
    public void Creators_dating_one_transaction_ahead_to_lower_their_base_are_still_one_vote_each()
    {
        var creators = Creators(8);
        for (var round = 0; round < 3; round++)
            Round(creators, _ => TimeSpan.FromMilliseconds(300));
        // Three of eight date one transaction 50 s ahead (the verifier allows a minute), then publish honestly: their
        // honest ones read 50 s late, as if backdated, and the five others outvote them.
        Round(creators[..3], _ => TimeSpan.FromSeconds(-50));
        Round(creators, _ => TimeSpan.FromMilliseconds(300));

        Assert.Equal(TimeSpan.Zero, _delays.Median());
        Assert.Null(new CatchUpFirst(_delays, MaxDelay).Skip());
    }

    [Fact]
    public void A_step_of_this_peers_own_clock_is_no_backlog()
    {
        var creators = Creators(8);
        for (var round = 0; round < 3; round++)
            Round(creators, _ => TimeSpan.FromMilliseconds(200));
        _clock.Step = TimeSpan.FromSeconds(30); // its wall clock jumps ahead (a time sync, a resumed machine)
        for (var round = 0; round < 3; round++)
            Round(creators, _ => TimeSpan.FromMilliseconds(200));

        Assert.Equal(TimeSpan.Zero, _delays.Median());
    }

    [Fact]
    public void At_most_three_steps_in_a_row_are_skipped_however_far_behind_the_peer_is()
    {
        FallBehind(Creators(8), TimeSpan.FromSeconds(50));
        var gate = new CatchUpFirst(_delays, MaxDelay);

        var skipped = Enumerable.Range(0, 8).Select(_ => gate.Skip() is not null).ToList();

        Assert.Equal([true, true, true, false, true, true, true, false], skipped);
    }

    [Fact]
    public void Few_creators_or_a_quiet_minute_are_no_backlog()
    {
        FallBehind(Creators(3), TimeSpan.FromSeconds(30));
        Assert.Null(_delays.Median()); // three creators: too few to tell

        FallBehind(Creators(4), TimeSpan.FromSeconds(30));
        Assert.NotNull(_delays.Median());
        _time.Advance(ArrivalDelays.Freshness + TimeSpan.FromSeconds(1));
        Assert.Null(_delays.Median()); // nothing heard for a minute: nothing is waiting
        Assert.Null(new CatchUpFirst(_delays, MaxDelay).Skip());
    }

    [Fact]
    public void A_creators_base_outlives_its_period_by_one_then_follows_its_clock()
    {
        var creators = Creators(4);
        for (var round = 0; round < 3; round++)
            Round(creators, _ => TimeSpan.Zero);
        // Every creator's clock jumps 20 s back for good: that reads as waiting, in the next period too (the
        // previous period's smallest age still counts), and no longer two periods on.
        var behind = creators.Select(c => (c.Item1, c.Item2 - TimeSpan.FromSeconds(20))).ToList();
        Round(behind, _ => TimeSpan.Zero);
        Assert.InRange(_delays.Median()!.Value, TimeSpan.FromSeconds(19.9), TimeSpan.FromSeconds(20));

        _time.Advance(ArrivalDelays.BasePeriod);
        Round(behind, _ => TimeSpan.Zero);
        Assert.InRange(_delays.Median()!.Value, TimeSpan.FromSeconds(19.9), TimeSpan.FromSeconds(20));

        _time.Advance(ArrivalDelays.BasePeriod);
        Round(behind, _ => TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, _delays.Median());
    }

    [Fact]
    public void A_zero_maximum_never_skips()
    {
        FallBehind(Creators(8), TimeSpan.FromMinutes(1));

        Assert.NotNull(new CatchUpFirst(_delays, MaxDelay).Skip());
        Assert.Null(new CatchUpFirst(_delays, TimeSpan.Zero).Skip());
    }

    /// <summary>Fake time whose wall clock can step while its timestamp (monotonic) runs on.</summary>
    private sealed class SteppedClock(FakeTimeProvider inner) : TimeProvider
    {
        public TimeSpan Step { get; set; }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Step;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;
    }
}
