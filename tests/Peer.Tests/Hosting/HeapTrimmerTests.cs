using MlAspire.Peer.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MlAspire.Peer.Tests.Hosting;

/// <summary>A peer compacts its heap on a schedule, so that it keeps committed little more than it holds.</summary>
public sealed class HeapTrimmerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task It_trims_once_within_the_first_interval_then_once_each_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var trimmed = new SemaphoreSlim(0);
        using var trimmer = new HeapTrimmer(Interval, time, NullLogger<HeapTrimmer>.Instance, () => trimmed.Release());
        await trimmer.StartAsync(default);

        // The service starts on the thread pool: fake time moves a second at a time until the next trim.
        async Task<TimeSpan> FakeTimeUntilTrimAsync()
        {
            var elapsed = TimeSpan.Zero;
            while (!await trimmed.WaitAsync(TimeSpan.FromMilliseconds(20)) && elapsed < 3 * Interval)
            {
                time.Advance(Step);
                elapsed += Step;
            }
            return elapsed;
        }

        Assert.InRange(await FakeTimeUntilTrimAsync(), TimeSpan.Zero, Interval + Step); // a random point of the first interval
        for (var trim = 2; trim <= 4; trim++)
            Assert.InRange(await FakeTimeUntilTrimAsync(), Interval - Step, Interval + Step);
        await trimmer.StopAsync(default);
    }

    [Fact]
    public async Task A_zero_interval_never_trims()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trims = 0;
        using var trimmer = new HeapTrimmer(TimeSpan.Zero, time, NullLogger<HeapTrimmer>.Instance, () => Interlocked.Increment(ref trims));
        await trimmer.StartAsync(default);

        await trimmer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)); // returned at once: nothing scheduled
        time.Advance(3 * Interval);
        Assert.Equal(0, Volatile.Read(ref trims));
    }

    [Theory]
    [InlineData("-00:01:00")]
    [InlineData("00:00:00.001")]
    [InlineData("100.00:00:00")]
    public void An_interval_that_would_never_trim_or_do_nothing_else_is_refused_saying_why(string interval)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Peer:HeapTrimInterval"] = interval }).Build();

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new HeapTrimmer(configuration, TimeProvider.System, NullLogger<HeapTrimmer>.Instance));
        Assert.Contains("Peer:HeapTrimInterval", refused.Message);
    }
}
