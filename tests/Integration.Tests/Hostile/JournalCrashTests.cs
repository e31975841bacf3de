using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A peer is killed (SIGKILL, as the OOM killer or a node failure would) while it rewrites its replica journal on
/// restart. Alone, with no neighbour to re-fetch from, it must come back with everything it had, from its own store.
/// </summary>
/// <remarks>
/// strace's fault injection places the kill exactly. It delivers the signal when the traced call is entered, before it
/// runs: killing on the journal's unlink or rename leaves the old journal in place (checked: `strace -e inject=unlinkat:signal=SIGKILL
/// rm f` leaves f), which hides today's delete-then-recreate window. So the kill lands on the first write to the
/// journal's path after the peer restarted: today that is the rewrite, after the delete; a journal replaced atomically
/// (write a temporary file, rename it over) is complete by the time anything is written to its path.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class JournalCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_peer_killed_while_rewriting_its_journal_restarts_with_its_whole_replica()
    {
        _cluster.StartBootstrap(LocalCluster.LonePeerPublishes);
        var peer = _cluster.StartPeer("lone");
        await Eventually.TrueAsync(async () => (await peer.StatusAsync()).TangleSize >= 30, Patience, _cluster.Logs);
        var before = await peer.StatusAsync();
        var held = (await peer.TransactionsAsync()).Select(t => t.Cid).ToHashSet();
        peer.Process.Kill(); // the journal now lists at least these
        _report.Note($"killed with {held.Count} transactions");

        var journal = Path.Combine(peer.DataDirectory, "replica", $"{before.GenesisCid}.log");
        string[] writes = ["write", "writev", "pwrite64", "pwritev", "pwritev2"];
        string[] strace = ["strace", "-f", "-qq", "-P", journal, "-e", $"trace={string.Join(',', writes)}", "-e", $"inject={string.Join(',', writes)}:signal=SIGKILL"];
        var crashed = _cluster.StartPeer("lone-killed-in-rewrite", peer.DataDirectory, peer.HttpPort, peer.GrpcPort, wrapper: strace);
        var killed = await Eventually.WithinAsync(() => Task.FromResult(crashed.Process.HasExited), Patience);
        _report.Note($"restart under strace: {(killed ? $"exited with code {crashed.Process.ExitCode}" : "still running")}; journal {JournalState(journal)}");
        Assert.True(killed && crashed.Process.ExitCode == 137,
            $"strace did not SIGKILL the peer (no write to {journal}, or ptrace not permitted here)\n{_report}\n{_cluster.Logs()}");

        var restarted = _cluster.StartPeer("lone-restarted", peer.DataDirectory, peer.HttpPort, peer.GrpcPort);
        var whole = await Eventually.WithinAsync(async () => (await restarted.TransactionsAsync()).Select(t => t.Cid).ToHashSet().IsSupersetOf(held), Patience);
        var status = await restarted.TryStatusAsync();
        var missing = held.Except((await restarted.TransactionsAsync()).Select(t => t.Cid)).Count();
        _report.Note($"restarted normally: {await restarted.DescribeAsync()}; {missing} of the {held.Count} transactions held before are missing; journal {JournalState(journal)}");

        Assert.Equal(before.PeerId, status?.PeerId);
        Assert.True(whole, $"the replica was not rebuilt from the store\n{_report}");
        Assert.True(status!.TangleSize >= held.Count, $"tangle {status.TangleSize} < {held.Count}\n{_report}");
        Assert.True(status.Rejected == 0, $"rejected {status.RejectedByReason}\n{_report}");
    }

    private static string JournalState(string path) =>
        File.Exists(path) ? $"{File.ReadAllLines(path).Length} lines" : "missing";
}
