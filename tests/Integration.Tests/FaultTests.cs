using System.Globalization;
using System.Text.RegularExpressions;

namespace MlAspire.Integration.Tests;

/// <summary>Parts of the system are killed (SIGKILL, as a crash or an OOM kill) or frozen (SIGSTOP); the rest keeps learning and the part comes back.</summary>
[Collection(RunsAlone.Name)]
public sealed class FaultTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Peers_keep_learning_while_bootstrap_is_down_and_register_again_when_it_is_back()
    {
        var bootstrap = _cluster.StartBootstrap();
        var a = _cluster.StartPeer("peer-a");
        var b = _cluster.StartPeer("peer-b");
        // Each holds the other's transactions, so each has learned the other from the Bootstrap. Killing it sooner failed
        // twice in CI: A had not yet heard of B (it lists the members every heartbeat) and never did while it was down.
        string idA = "", idB = "";
        await Eventually.TrueAsync(async () =>
        {
            (idA, idB) = ((await a.StatusAsync()).PeerId, (await b.StatusAsync()).PeerId);
            return (await a.TransactionsAsync()).Any(t => t.Publisher == idB) && (await b.TransactionsAsync()).Any(t => t.Publisher == idA);
        }, Patience, _cluster.Logs);

        bootstrap.Kill();
        var sizeWhenKilled = (await a.StatusAsync()).TangleSize;
        await Eventually.TrueAsync(async () =>
            (await a.StatusAsync()).TangleSize >= sizeWhenKilled + 10
            && (await a.TransactionsAsync()).Count(t => t.Publisher == idB && t.Sequence > sizeWhenKilled) >= 2,
            Patience, () =>
            {
                // How far each peer got, not only their last lines.
                string progress;
                try
                {
                    var (statusA, statusB) = (a.StatusAsync().Result, b.StatusAsync().Result);
                    var fromB = a.TransactionsAsync().Result.Count(t => t.Publisher == idB && t.Sequence > sizeWhenKilled);
                    progress = $"A holds {statusA.TangleSize} (held {sizeWhenKilled} when the Bootstrap was killed), {fromB} of them B's since; " +
                        $"B holds {statusB.TangleSize} and published {statusB.Published}";
                }
                catch (Exception e)
                {
                    progress = $"the peers' status is unreadable: {e.Message}";
                }
                return $"{progress}\n{_cluster.Logs()}";
            });

        _cluster.StartBootstrap(); // same data directory: the same genesis
        var client = _cluster.BootstrapClient();
        await Eventually.TrueAsync(async () => (await client.ListPeersAsync(new MlAspire.Bootstrap.Grpc.ListPeersRequest())).Peers.Count == 2, Patience, _cluster.Logs);
        Assert.False(a.Process.HasExited);
        Assert.False(b.Process.HasExited);
    }

    [Fact]
    public async Task A_peer_killed_mid_training_restarts_from_its_own_store_and_catches_up()
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("peer-a");
        var b = _cluster.StartPeer("peer-b");
        await Eventually.TrueAsync(async () => (await b.StatusAsync()).TangleSize >= 100, Patience, _cluster.Logs);
        var (idB, held, genesis) = await b.StatusAsync() is var s ? (s.PeerId, s.TangleSize, s.GenesisCid) : default;
        b.Process.Kill();
        var sizeWhenKilled = (await a.StatusAsync()).TangleSize;
        await Eventually.TrueAsync(async () => (await a.StatusAsync()).TangleSize >= sizeWhenKilled + 5, Patience, _cluster.Logs);

        // A slow disk at restart: opening its journal takes 5 s.
        var (restarted, trace) = RestartWithSlowJournal(b, genesis, TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(async () =>
        {
            var status = await restarted.StatusAsync();
            return status.PeerId == idB && status.TangleSize >= (await a.StatusAsync()).TangleSize - 3;
        }, Patience, _cluster.Logs);
        Assert.True(File.ReadAllText(trace).Contains("(DELAYED)", StringComparison.Ordinal), $"strace delayed no opening of the journal:\n{File.ReadAllText(trace)}");
        // What it held it rebuilt from its own journal and store, before asking its neighbour for anything (genesis it
        // has already, and the blocks of a transaction written as it died may be lost).
        var rebuilt = Match.Empty;
        await Eventually.WithinAsync(() => Task.FromResult((rebuilt = Regex.Match(restarted.Process.FirstLine("Rebuilt ") ?? "", @"Rebuilt (\d+) transactions")).Success),
            TimeSpan.FromSeconds(10));
        Assert.True(rebuilt.Success && int.Parse(rebuilt.Groups[1].Value, CultureInfo.InvariantCulture) >= held - 5,
            $"held {held} transactions when killed; after the restart: '{(rebuilt.Success ? rebuilt.Value : "no rebuild logged")}'\n{_cluster.Logs()}");
        // It keeps publishing under the same identity, and nothing it had stored was corrupted by the kill.
        var published = (await a.TransactionsAsync()).Count(t => t.Publisher == idB);
        await Eventually.TrueAsync(async () => (await a.TransactionsAsync()).Count(t => t.Publisher == idB) > published, Patience, _cluster.Logs);
        // A transaction announced just before the kill may be lost (its blocks died with the peer); nothing may be corrupt.
        string[] lossAfterCrash = ["unknown_parent", "weights_unavailable"];
        foreach (var peer in new[] { restarted, a })
        {
            var status = await peer.StatusAsync();
            Assert.True(status.RejectedByReason.Keys.All(lossAfterCrash.Contains), $"{peer.Name} rejected {status.RejectedByReason}:\n{_cluster.Logs()}");
        }
    }

    [Fact]
    public async Task A_restarted_peer_whose_journal_hangs_catches_up_and_trains_once_its_restore_wait_is_over()
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("peer-a");
        var b = _cluster.StartPeer("peer-b");
        await Eventually.TrueAsync(async () => (await b.StatusAsync()).TangleSize >= 20, Patience, _cluster.Logs);
        var (idB, genesis) = await b.StatusAsync() is var s ? (s.PeerId, s.GenesisCid) : default;
        b.Process.Kill();

        // Opening the journal hangs for 5 minutes; catch-up and training wait 2 s for the replay, not the 5 minutes.
        var (restarted, trace) = RestartWithSlowJournal(b, genesis, TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["Peer__RestoreWait"] = "00:00:02" });
        var published = (await a.TransactionsAsync()).Count(t => t.Publisher == idB);
        var caughtUp = await Eventually.WithinAsync(async () =>
            (await restarted.StatusAsync()).TangleSize >= (await a.StatusAsync()).TangleSize - 3
            && (await a.TransactionsAsync()).Count(t => t.Publisher == idB) > published, Patience);
        Assert.True(caughtUp, $"the restarted peer waited on its hung journal\n{_cluster.Logs()}");
        Assert.NotNull(restarted.Process.FirstLine("catch-up and training start beside it"));
        // All the while, the journal's opening had not returned: strace writes "(DELAYED)" once it does.
        var traced = File.ReadAllText(trace);
        Assert.True(traced.Contains("openat(", StringComparison.Ordinal) && !traced.Contains("(DELAYED)", StringComparison.Ordinal),
            $"the journal's opening was not held up all along:\n{traced}");
    }

    /// <summary>
    /// Restarts <paramref name="peer"/> on its data directory under strace, which delays the opening of its journal by
    /// <paramref name="delay"/>; returns strace's trace of it, a line ending in "(DELAYED)" once the opening returned.
    /// </summary>
    private (RunningPeer Restarted, string Trace) RestartWithSlowJournal(RunningPeer peer, string genesis, TimeSpan delay, IReadOnlyDictionary<string, string>? settings = null)
    {
        var journal = Path.Combine(peer.DataDirectory, "replica", $"{genesis}.log");
        var trace = Path.Combine(peer.DataDirectory, "strace.log");
        string[] slowJournal = ["strace", "-f", "-qq", "-o", trace, "-P", journal, "-e", "trace=openat",
            "-e", $"inject=openat:delay_enter={(long)delay.TotalMicroseconds}"];
        var restarted = _cluster.StartPeer($"{peer.Name}-restarted", peer.DataDirectory, peer.HttpPort, peer.GrpcPort, settings: settings, wrapper: slowJournal);
        return (restarted, trace);
    }

    [Fact]
    public async Task Peers_keep_learning_past_a_frozen_neighbour_drop_it_and_take_it_back_when_it_thaws()
    {
        _cluster.StartBootstrap();
        var a = _cluster.StartPeer("peer-a");
        var b = _cluster.StartPeer("peer-b");
        var frozen = _cluster.StartPeer("peer-frozen");
        var peers = new[] { a, b, frozen };
        await Eventually.TrueAsync(async () =>
        {
            foreach (var peer in peers)
            {
                var list = await peer.TransactionsAsync();
                if (!peers.All(other => list.Any(t => t.Publisher == other.PeerId))) return false;
            }
            return true;
        }, Patience, _cluster.Logs);

        // Frozen, its sockets still accept connections and nothing answers: calls to it hang until their deadlines.
        frozen.Process.Stall();
        var bootstrap = _cluster.BootstrapClient();
        try
        {
            var (fromA, fromB) = ((await b.TransactionsAsync()).Count(t => t.Publisher == a.PeerId), (await a.TransactionsAsync()).Count(t => t.Publisher == b.PeerId));
            await Eventually.TrueAsync(async () =>
                (await b.TransactionsAsync()).Count(t => t.Publisher == a.PeerId) >= fromA + 10 && (await a.TransactionsAsync()).Count(t => t.Publisher == b.PeerId) >= fromB + 10,
                Patience, _cluster.Logs);
            // Its heartbeats stopped: the Bootstrap drops it after its timeout (3 s here).
            await Eventually.TrueAsync(async () => (await bootstrap.ListPeersAsync(new MlAspire.Bootstrap.Grpc.ListPeersRequest())).Peers.All(p => p.PeerId != frozen.PeerId),
                Patience, _cluster.Logs);
        }
        finally
        {
            frozen.Process.Resume();
        }

        // Thawed, it finds itself dropped, joins again, catches up on what it missed and publishes again.
        var sizeOfA = (await a.StatusAsync()).TangleSize;
        var published = (await a.TransactionsAsync()).Count(t => t.Publisher == frozen.PeerId);
        await Eventually.TrueAsync(async () =>
            (await bootstrap.ListPeersAsync(new MlAspire.Bootstrap.Grpc.ListPeersRequest())).Peers.Any(p => p.PeerId == frozen.PeerId)
            && (await frozen.StatusAsync()).TangleSize >= sizeOfA
            && (await a.TransactionsAsync()).Count(t => t.Publisher == frozen.PeerId) >= published + 3,
            Patience, _cluster.Logs);
        Assert.False(frozen.Process.HasExited);
    }
}
