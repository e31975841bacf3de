using Xunit.Abstractions;

namespace MlAspire.Integration.Tests;

/// <summary>
/// A peer is killed (SIGKILL) in the middle of storing a block: its pin is written, the block's bytes are in a temporary
/// file, and the rename that puts them under their CID is about to run. Alone, with no neighbour to fetch from, it must
/// come back with every transaction it had inserted and every one's weights, from its own store, and go on publishing.
/// </summary>
/// <remarks>
/// strace's fault injection places the kill: SIGKILL on entry to a rename, the embedded store's last step of a block
/// write (and the journal's, whose crash <c>Hostile/JournalCrashTests</c> covers). Injection counts calls per thread, so
/// "the tenth rename or later" lands some block writes after the restart (which renames the pin log and the journal
/// once each), on whichever thread gets there first.
/// (strace 6.1 does not inject under <c>--seccomp-bpf</c>: checked with <c>mv</c>.)
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class StoreCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_peer_killed_while_writing_a_block_restarts_with_every_transaction_and_its_weights()
    {
        _cluster.StartBootstrap(LocalCluster.LonePeerPublishes);
        var peer = _cluster.StartPeer("lone");
        await Eventually.TrueAsync(async () => (await peer.StatusAsync()).TangleSize >= 20, Patience, _cluster.Logs);
        var id = peer.PeerId;
        peer.Process.Kill();

        string[] renames = ["rename", "renameat", "renameat2"];
        string[] strace = ["strace", "-f", "-qq", "-e", $"trace={string.Join(',', renames)}", "-e", $"inject={string.Join(',', renames)}:signal=SIGKILL:when=10+"];
        var crashed = _cluster.StartPeer("lone-killed-in-a-write", peer.DataDirectory, peer.HttpPort, peer.GrpcPort, wrapper: strace);
        // What it lists it has inserted, and so stored: each poll's list is a floor for what must survive the kill.
        var held = new HashSet<string>();
        var killed = await Eventually.WithinAsync(async () =>
        {
            try
            {
                held.UnionWith((await crashed.TransactionsAsync()).Select(t => t.Cid));
            }
            catch (Grpc.Core.RpcException)
            {
                // Not serving yet, or killed.
            }
            return crashed.Process.HasExited;
        }, Patience);
        var store = Path.Combine(peer.DataDirectory, "store");
        var leftovers = Directory.EnumerateFiles(store, "*.tmp", SearchOption.AllDirectories).ToList();
        output.WriteLine($"under strace: {(killed ? $"exited with code {crashed.Process.ExitCode}" : "still running")} having listed {held.Count} transactions; {leftovers.Count} temporary files left");
        Assert.True(killed && crashed.Process.ExitCode == 137, $"strace did not SIGKILL the peer (no rename, or ptrace not permitted here)\n{_cluster.Logs()}");
        Assert.True(held.Count >= 20, $"only {held.Count} transactions were listed before the kill\n{_cluster.Logs()}");
        // Killed at a block's rename (not the journal's or the pin log's, which happen once each at the restart).
        Assert.Contains(leftovers, file => Path.GetDirectoryName(file) == Path.Combine(store, "blocks"));

        var restarted = _cluster.StartPeer("lone-restarted", peer.DataDirectory, peer.HttpPort, peer.GrpcPort);
        await Eventually.TrueAsync(async () => (await restarted.TransactionsAsync()).Select(t => t.Cid).ToHashSet().IsSupersetOf(held), Patience, _cluster.Logs);
        var list = await restarted.TransactionsAsync();
        var weightless = list.Where(t => held.Contains(t.Cid) && t.WeightsReleased).Select(t => t.Cid).ToList();
        Assert.True(weightless.Count == 0, $"{weightless.Count} transactions came back without their weights: {string.Join(", ", weightless.Take(3))}\n{_cluster.Logs()}");
        var status = await restarted.StatusAsync();
        Assert.Equal(id, status.PeerId);
        Assert.True(status.RejectedByReason.Count == 0, $"rejected {status.RejectedByReason}\n{_cluster.Logs()}");
        var published = list.Count(t => t.Publisher == id);
        await Eventually.TrueAsync(async () => (await restarted.TransactionsAsync()).Count(t => t.Publisher == id) >= published + 3, Patience, _cluster.Logs);

        Assert.DoesNotContain(leftovers, File.Exists); // what the kill left half-written is cleaned on start
        var damaged = StoreFiles.DamagedBlocks(store);
        Assert.True(damaged.Count == 0, $"damaged blocks: {string.Join(", ", damaged.Take(5))}");
    }
}
