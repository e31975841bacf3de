using MlAspire.Peer.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MlAspire.Peer.Tests.Hosting;

/// <summary>A peer compacts its heap on a schedule, so that it keeps committed little more than it holds.</summary>
public sealed class HeapTrimmerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private static async Task<int> TrimsAfterAsync(FakeTimeProvider time, Func<int> trims, TimeSpan elapsed)
    {
        // The trimmer runs on the thread pool; give it the moment it needs after each step of fake time.
        for (var step = TimeSpan.Zero; step < elapsed; step += TimeSpan.FromSeconds(5))
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(5);
        }
        await Task.Delay(50);
        return trims();
    }

    [Fact]
    public async Task It_trims_once_within_the_first_interval_then_once_each_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trims = 0;
        using var trimmer = new HeapTrimmer(Interval, time, NullLogger<HeapTrimmer>.Instance, () => Interlocked.Increment(ref trims));
        await trimmer.StartAsync(default);

        Assert.Equal(1, await TrimsAfterAsync(time, () => Volatile.Read(ref trims), Interval));
        Assert.Equal(4, await TrimsAfterAsync(time, () => Volatile.Read(ref trims), 3 * Interval));
        await trimmer.StopAsync(default);
    }

    [Fact]
    public async Task A_zero_interval_never_trims()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var trims = 0;
        using var trimmer = new HeapTrimmer(TimeSpan.Zero, time, NullLogger<HeapTrimmer>.Instance, () => trims++);
        await trimmer.StartAsync(default);

        await trimmer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)); // returned at once: nothing scheduled
        Assert.Equal(0, await TrimsAfterAsync(time, () => trims, 3 * Interval));
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
