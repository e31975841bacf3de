using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MlAspire.Peer.Grpc;
using MlAspire.Visualization.Model;
using MlAspire.Visualization.Watching;
using static MlAspire.Visualization.Tests.Model.TransactionWindowTests;

namespace MlAspire.Visualization.Tests.Model;

public sealed class TangleModelTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    private TangleModel Model(int transactionsPerPeer = 10_000, int samples = 100, int maxPeers = 64) =>
        new(new VisualizationOptions { TransactionsPerPeer = transactionsPerPeer, AccuracySamplesPerPeer = samples, MaxPeers = maxPeers }, _time);

    private static PeerStatusView Status(double? accuracy, long at, int tips = 2) =>
        new(10, tips, 0, "tx-1", accuracy, accuracy is null ? null : 1 - accuracy, "embedded", 1, 2, 0, at);

    [Fact]
    public void Each_peer_keeps_only_its_newest_transactions_and_accuracy_samples()
    {
        var model = Model(transactionsPerPeer: 1_000, samples: 50);
        model.UpsertPeer("a", "http://127.0.0.1:1", 1);
        model.AddTransactions("a", Enumerable.Range(0, 25_000).Select(i => Transaction(i)));
        for (var i = 0; i < 500; i++)
            model.RecordStatus("a", Status(i / 500.0, i));

        var kept = model.Transactions("a");
        Assert.Equal(1_000, kept.Count);
        Assert.Equal("tx-24000", kept[0].Cid);
        Assert.Equal("tx-24999", kept[^1].Cid);
        using var browser = model.Subscribe("a");
        var snapshot = Read<SnapshotEvent>(browser.Snapshot);
        Assert.Equal(50, snapshot.Accuracy["a"].Length);
        Assert.Equal(450, snapshot.Accuracy["a"][0].AtMs);
        Assert.Equal(1_000, snapshot.Transactions.Count);
    }

    [Fact]
    public void A_browser_gets_a_snapshot_then_only_its_peers_transactions_and_everyones_status()
    {
        var model = Model();
        model.UpsertPeer("a", "http://127.0.0.1:1", 1);
        model.UpsertPeer("b", "http://127.0.0.1:2", 2);
        model.AddTransactions("b", [Transaction(0)]);
        using var browser = model.Subscribe("b");

        model.AddTransactions("a", [Transaction(7)]);
        model.AddTransactions("b", [Transaction(1, "tx-0"), Transaction(0)]);
        model.RecordStatus("a", Status(0.8, 5));
        model.RecordStatus("b", Status(null, 6));

        var snapshot = Read<SnapshotEvent>(browser.Snapshot);
        Assert.Equal("b", snapshot.Selected);
        Assert.Equal(["tx-0"], snapshot.Transactions.Select(t => t.Cid));
        Assert.True(browser.Events.TryRead(out var transactions));
        Assert.Equal("transactions", transactions.Type);
        Assert.Equal(["tx-1"], Read<TransactionsEvent>(transactions).Transactions.Select(t => t.Cid)); // the duplicate tx-0 is not resent
        Assert.True(browser.Events.TryRead(out var statusA));
        Assert.Equal(new AccuracySample(5, 0.8), Read<StatusEvent>(statusA).Sample);
        Assert.True(browser.Events.TryRead(out var statusB));
        Assert.Null(Read<StatusEvent>(statusB).Sample); // no accuracy measured yet: no point on the chart
        Assert.False(browser.Events.TryRead(out _));
    }

    [Fact]
    public void Without_a_choice_a_browser_follows_the_first_peer_to_join()
    {
        var model = Model();
        using (var early = model.Subscribe(null))
            Assert.Null(Read<SnapshotEvent>(early.Snapshot).Selected);
        model.UpsertPeer("late", "http://127.0.0.1:2", 20);
        model.UpsertPeer("first", "http://127.0.0.1:1", 10);
        using var browser = model.Subscribe("unknown-peer");
        Assert.Equal("first", Read<SnapshotEvent>(browser.Snapshot).Selected);
    }

    [Fact]
    public void A_browser_that_stops_reading_is_ended_rather_than_queued_for_without_bound()
    {
        var model = Model();
        model.UpsertPeer("a", "http://127.0.0.1:1", 1);
        using var browser = model.Subscribe("a");
        for (var i = 0; i < BrowserSubscription.Backlog * 3; i++)
            model.AddTransactions("a", [Transaction(i)]);

        var read = 0;
        while (browser.Events.TryRead(out _)) read++;
        Assert.Equal(BrowserSubscription.Backlog, read);
        Assert.True(browser.Events.Completion.IsCompleted);
    }

    [Fact]
    public void A_peer_that_left_stays_listed_until_room_is_needed_and_a_late_watcher_cannot_revive_it()
    {
        var model = Model(maxPeers: 2);
        model.UpsertPeer("a", "http://127.0.0.1:1", 1);
        model.UpsertPeer("b", "http://127.0.0.1:2", 2);
        model.SetState("a", PeerState.Left);
        model.SetState("a", PeerState.Live);
        Assert.Equal(PeerState.Left, model.Peers().Single(p => p.PeerId == "a").State);

        model.UpsertPeer("c", "http://127.0.0.1:3", 3);
        Assert.Equal(["b", "c"], model.Peers().Select(p => p.PeerId));
    }

    [Fact]
    public void Unmeasured_values_travel_as_null_because_json_has_no_nan()
    {
        var status = new PeerStatus { TangleSize = 3, Tips = 1, ReferenceAccuracy = double.NaN, ReferenceLoss = double.PositiveInfinity }.ToView(42);
        var transaction = new TransactionMessage { Sequence = 1, Cid = "c", Publisher = "p", LocalLoss = double.NaN, LocalAccuracy = 0.5, Parents = { "g" } }.ToView();

        Assert.Null(status.ReferenceAccuracy);
        Assert.Null(status.ReferenceLoss);
        Assert.Null(status.ReferenceCid);
        Assert.Null(transaction.LocalLoss);
        Assert.Equal(0.5, transaction.LocalAccuracy);
        Assert.Contains("\"referenceAccuracy\":null", JsonSerializer.Serialize(status, TangleModel.Json));
    }

    private static T Read<T>(BrowserEvent e) => JsonSerializer.Deserialize<T>(e.Json, TangleModel.Json)!;
}
