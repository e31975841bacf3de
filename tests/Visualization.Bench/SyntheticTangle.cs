using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Bench;

/// <summary>
/// A tangle shaped like a real one, made up: each transaction approves two of the current tips (or a tip and a recent
/// transaction when only one tip is left), published round-robin by a set of peers every 300 ms, with an hour of
/// accuracy samples per peer.
/// </summary>
public static class SyntheticTangle
{
    public static SnapshotEvent Snapshot(int transactions, int peers, int seed = 42)
    {
        var random = new Random(seed);
        var start = DateTimeOffset.UtcNow.AddSeconds(-transactions * 0.3).ToUnixTimeMilliseconds();
        var peerIds = Enumerable.Range(0, peers).Select(i => $"bafkpeer{i:D2}{new string((char)('a' + i), 40)}").ToArray();
        var list = new List<TransactionView>(transactions) { new(0, Cid(0), [], "", null, null, start) };
        var tips = new List<int> { 0 };
        for (var i = 1; i < transactions; i++)
        {
            var first = tips[random.Next(tips.Count)];
            var second = tips.Count > 1 ? tips[random.Next(tips.Count)] : Math.Max(0, i - 1 - random.Next(Math.Min(i, 8)));
            string[] parents = first == second ? [Cid(first)] : [Cid(first), Cid(second)];
            tips.Remove(first);
            tips.Remove(second);
            // Several peers train on the same tips at once, so a few transactions stay tips a little longer.
            if (random.NextDouble() < 0.5 && i > 1) tips.Add(i - 1 - random.Next(Math.Min(i - 1, 4)));
            tips.Add(i);
            tips = tips.Distinct().ToList();
            var accuracy = 0.9 * (1 - Math.Exp(-i / 300.0)) + 0.02 * random.NextDouble();
            list.Add(new TransactionView(i, Cid(i), parents, peerIds[i % peers], 1 - accuracy, accuracy, start + i * 300L));
        }
        var summaries = peerIds.Select((id, i) => new PeerSummary(id, $"http://10.0.0.{i + 1}:5201", PeerState.Live, null, start,
            new PeerStatusView(transactions, 3, 0, list[^5].Cid, 0.9, 0.1, "embedded", transactions / peers, transactions, 0, start + transactions * 300L))).ToList();
        var accuracyByPeer = peerIds.ToDictionary(id => id,
            id => Enumerable.Range(0, 1_800).Select(s => new AccuracySample(start + s * 2_000L, 0.9 * (1 - Math.Exp(-s / 200.0)) + 0.01 * random.NextDouble())).ToArray());
        return new SnapshotEvent(peerIds[0], summaries, accuracyByPeer, list, transactions);
    }

    private static string Cid(int i) => $"bafyreisynthetic{i:D10}{new string('x', 33)}";
}
