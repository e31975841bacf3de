using Grpc.Net.Client;
using MlAspire.Peer.Grpc;
using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member opens WatchTransactions streams on a victim and never reads them, while the victim inserts a burst of
/// transactions (a long chain it catches up on in one ingestion). The stuck streams must cost the victim a bounded
/// amount of memory and nothing else: it keeps running, serving and learning.
/// </summary>
/// <remarks>
/// On today's code every watch channel holds 4,096 records and one insertion of more records than that completes
/// every channel with an error, including the one the replica journal reads: its exception stops the host.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class StalledWatcherTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// The logistic-regression victim alone peaks at about 180-240 MB RSS in 90 s. The burst's ancestors link weights
    /// nobody serves (as old history whose weights were released does), so the victim keeps only their documents
    /// (about 1 KB each, 10 MB): 450 MB leaves room for that, and for the stuck streams' buffers only if they are bounded.
    /// </summary>
    private const long RssBudgetMegabytes = 450;

    /// <summary>
    /// The most one announcement may pull in today (PeerEngineOptions.MaxAncestorsPerIngest), well over the 4,096
    /// records a watch channel holds: the journal drains its channel while the insertion fills it, and in measured runs
    /// a burst of 4,500 was absorbed, one of 6,000 was absorbed and another was not.
    /// </summary>
    private const int BurstLength = 10_000;

    /// <summary>Few: every open watch slows the insertion's loop over watchers, which gives the journal time to drain.</summary>
    private const int StalledStreams = 2;

    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Watch_streams_that_are_never_read_cost_bounded_memory_and_a_burst_of_insertions_does_not_stop_the_host()
    {
        _cluster.StartBootstrap(LocalCluster.LonePeerPublishes);
        var victim = _cluster.StartPeer("victim");
        await Eventually.TrueAsync(async () => (await victim.StatusAsync()).TangleSize >= 5, TimeSpan.FromSeconds(30), _cluster.Logs);
        await using var memory = new MemoryWatch(victim.Process.ProcessId);

        await using var attacker = await HostileMember.StartAsync();
        await attacker.JoinAsync(_cluster.BootstrapClient());
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{victim.GrpcPort}");
        var watcher = attacker.ClientFor(channel, victim.PeerId); // a member: only members may watch
        var stalled = Enumerable.Range(0, StalledStreams).Select(_ => watcher.WatchTransactions(new WatchTransactionsRequest())).ToList(); // opened, never read
        _report.Note($"before the burst: {ProcessMemory.Read(victim.Process.ProcessId)}; {StalledStreams} watch streams open and unread; {await victim.DescribeAsync()}");

        var burst = attacker.Forge.Chain(attacker.Key, attacker.Membership.Genesis, TransactionForge.ReleasedWeights, BurstLength,
            newestWeights: attacker.Forge.PutRandomWeights(new Random(1)));
        attacker.Announcements.Offer(burst[^1]);
        var newest = burst[^1].Cid.ToString();
        var started = DateTime.UtcNow;
        var settled = await Eventually.WithinAsync(async () =>
            victim.IsDown()
            || (await victim.TryStatusAsync())?.Rejected > 0
            || (await victim.Sync.GetTransactionAsync(new() { Cid = newest }, deadline: DateTime.UtcNow.AddSeconds(5))) is not null,
            TimeSpan.FromSeconds(60)); // 10,000 documents fetched one by one take 30-50 s on 2 busy cores
        _report.Note($"{(settled ? "settled" : "still busy")} after {(DateTime.UtcNow - started).TotalSeconds:F0} s: peak {memory.PeakMegabytes} MB; {await victim.DescribeAsync()}");
        var learning = await victim.KeepsLearningAsync(TimeSpan.FromSeconds(15));
        _report.Note($"keeps learning after the burst: {learning}; {await victim.DescribeAsync()}; peak {memory.PeakMegabytes} MB (budget {RssBudgetMegabytes} MB)");
        _report.Note($"victim log: {victim.Process.Failures()}");
        stalled.ForEach(s => s.Dispose());

        Assert.False(victim.IsDown(), $"the victim is down\n{_report}");
        Assert.True(settled, $"the victim neither took nor refused the burst in time: the attack was not tried\n{_report}");
        Assert.True(await victim.TryStatusAsync() is not null, $"the victim does not answer GetStatus\n{_report}");
        Assert.True(learning, $"the victim stopped learning\n{_report}");
        Assert.True(memory.PeakMegabytes < RssBudgetMegabytes, $"the victim's RSS peaked at {memory.PeakMegabytes} MB\n{_report}");
    }
}
