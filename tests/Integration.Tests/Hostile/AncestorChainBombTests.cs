using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member signs a chain of thousands of valid transactions that all reuse one weights block, and announces only the
/// newest: a victim that pulls in every unknown ancestor, keeping each one's decoded weights until the whole chain
/// checks out, holds thousands of copies of the model at once.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class AncestorChainBombTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// The MLP (784-64-10) victim of this test without the attack peaks at about 180-260 MB RSS in 90 s (measured: 180 MB
    /// after 60 s alone, 210 MB beside a second peer; it grows slowly with the tangle, as retention keeps 2,000 weights).
    /// One decoded copy of its weights is 50,890 floats = 199 KB, so 450 MB leaves room for about a thousand copies in
    /// flight, and none for the 5,000 the chain makes a budget-less peer hold (1 GB).
    /// </summary>
    private const long RssBudgetMegabytes = 450;

    private const int ChainLength = 5_000;

    // PublishRule Always: a lone peer keeps publishing, so "still learning" shows as a growing tangle.
    private static readonly Dictionary<string, string> MlpTangle = new()
    {
        ["Bootstrap__Model__Architecture"] = "mlp",
        ["Bootstrap__Learning__PublishRule"] = "Always",
    };

    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_chain_announced_by_its_newest_transaction_is_refused_within_a_memory_budget_and_the_victim_keeps_learning()
    {
        _cluster.StartBootstrap(MlpTangle);
        var victim = _cluster.StartPeer("victim");
        await Eventually.TrueAsync(async () => (await victim.StatusAsync()).TangleSize >= 5, TimeSpan.FromSeconds(30), _cluster.Logs);
        await using var memory = new MemoryWatch(victim.Process.ProcessId);
        _report.Note($"before the attack: {ProcessMemory.Read(victim.Process.ProcessId)}; {await victim.DescribeAsync()}");

        await using var attacker = await HostileMember.StartAsync();
        await attacker.JoinAsync(_cluster.BootstrapClient());
        var weights = attacker.Forge.PutRandomWeights(new Random(1));
        var chain = attacker.Forge.Chain(attacker.Key, attacker.Membership.Genesis, weights, ChainLength);
        attacker.Announcements.Offer(chain[^1]); // ListTransactions and WatchTransactions name only the newest; GetBlock serves all
        var newest = chain[^1].Cid.ToString();

        var started = DateTime.UtcNow;
        var settled = await Eventually.WithinAsync(async () =>
            victim.IsDown()
            || await victim.RejectedAsync(RejectionLabels.BudgetExceeded) > 0
            || (await victim.Sync.GetTransactionAsync(new() { Cid = newest }, deadline: DateTime.UtcNow.AddSeconds(5))) is not null,
            TimeSpan.FromSeconds(60));
        _report.Note($"{(settled ? "settled" : "still busy")} after {(DateTime.UtcNow - started).TotalSeconds:F0} s: peak {memory.PeakMegabytes} MB (budget {RssBudgetMegabytes} MB); {await victim.DescribeAsync()}");
        var learning = await victim.KeepsLearningAsync(TimeSpan.FromSeconds(15));
        _report.Note($"keeps learning after the attack: {learning}; {await victim.DescribeAsync()}; peak {memory.PeakMegabytes} MB");
        _report.Note($"victim log: {victim.Process.Failures()}");

        Assert.False(victim.IsDown(), $"the victim is down\n{_report}");
        Assert.True(memory.PeakMegabytes < RssBudgetMegabytes, $"the victim's RSS peaked at {memory.PeakMegabytes} MB\n{_report}");
        Assert.True(learning, $"the victim stopped learning\n{_report}");
        Assert.True(await victim.RejectedAsync(RejectionLabels.BudgetExceeded) > 0, $"the chain was not counted as '{RejectionLabels.BudgetExceeded}'\n{_report}");
    }
}
