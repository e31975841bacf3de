using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlAspire.Visualization.Model;

/// <summary>
/// What the Visualization knows of every peer (membership, state, newest transactions, recent accuracy), and the
/// browsers listening to it. Each change is serialized once and offered to every browser; a browser subscribes under
/// the same lock that changes are made under, so its snapshot and the events after it never leave a gap.
/// </summary>
public sealed class TangleModel(VisualizationOptions options, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PeerView> _peers = new(StringComparer.Ordinal);
    private readonly List<BrowserSubscription> _browsers = [];

    public int TransactionsPerPeer => options.TransactionsPerPeer;

    /// <summary>Adds a member, or updates its address; a peer that had left becomes <see cref="PeerState.Connecting"/> again.</summary>
    public void UpsertPeer(string peerId, string grpcAddress, long joinedAtMs)
    {
        lock (_lock)
        {
            if (_peers.TryGetValue(peerId, out var peer))
            {
                peer.GrpcAddress = grpcAddress;
                peer.JoinedAtMs = joinedAtMs;
                if (peer.State == PeerState.Left) peer.State = PeerState.Connecting;
            }
            else
            {
                _peers[peerId] = new PeerView(peerId, grpcAddress, joinedAtMs, options);
                ForgetDepartedBeyondLimit();
            }
            PublishPeers();
        }
    }

    public void SetState(string peerId, PeerState state, string? problem = null)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var peer) || (peer.State == state && peer.Problem == problem)) return;
            if (peer.State == PeerState.Left && state != PeerState.Left) return; // a watcher finishing after the peer left
            peer.State = state;
            peer.Problem = problem;
            PublishPeers();
        }
    }

    /// <summary>Adds transactions read from a peer's replica (duplicates ignored); returns how many were new.</summary>
    public int AddTransactions(string peerId, IEnumerable<TransactionView> transactions)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var peer)) return 0;
            var added = transactions.Where(peer.Transactions.Add).ToList();
            if (added.Count > 0)
                Publish("transactions", peerId, new TransactionsEvent(peerId, added));
            return added.Count;
        }
    }

    /// <summary>Records a status sample; its reference accuracy, when measured, becomes a point of the chart.</summary>
    public void RecordStatus(string peerId, PeerStatusView status)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue(peerId, out var peer)) return;
            peer.Status = status;
            AccuracySample? sample = null;
            if (status.ReferenceAccuracy is { } accuracy)
                peer.Accuracy.Add(sample = new AccuracySample(status.SampledAtMs, accuracy), out _);
            Publish("status", null, new StatusEvent(peerId, status, sample));
        }
    }

    public IReadOnlyList<PeerSummary> Peers()
    {
        lock (_lock) return Summaries();
    }

    public IReadOnlyList<TransactionView> Transactions(string peerId)
    {
        lock (_lock) return _peers.TryGetValue(peerId, out var peer) ? peer.Transactions.ToArray() : [];
    }

    /// <summary>
    /// A browser following <paramref name="selected"/> (or the first peer, when it names none or an unknown one).
    /// Dispose the subscription when the browser goes.
    /// </summary>
    public BrowserSubscription Subscribe(string? selected)
    {
        lock (_lock)
        {
            var peer = selected is not null && _peers.TryGetValue(selected, out var chosen) ? chosen
                : _peers.Values.OrderBy(p => p.State == PeerState.Left).ThenBy(p => p.JoinedAtMs).ThenBy(p => p.PeerId, StringComparer.Ordinal).FirstOrDefault();
            var snapshot = new SnapshotEvent(peer?.PeerId, Summaries(),
                _peers.Values.ToDictionary(p => p.PeerId, p => p.Accuracy.ToArray()),
                peer?.Transactions.ToArray() ?? [], options.TransactionsPerPeer);
            var subscription = new BrowserSubscription(peer?.PeerId, Serialize("snapshot", null, snapshot), Unsubscribe);
            _browsers.Add(subscription);
            return subscription;
        }
    }

    private void Unsubscribe(BrowserSubscription subscription)
    {
        lock (_lock) _browsers.Remove(subscription);
    }

    private List<PeerSummary> Summaries() => _peers.Values.OrderBy(p => p.JoinedAtMs).ThenBy(p => p.PeerId, StringComparer.Ordinal).Select(p => p.Summary()).ToList();

    private void PublishPeers() => Publish("peers", null, new PeersEvent(Summaries()));

    private void Publish<T>(string type, string? peerId, T payload)
    {
        if (_browsers.Count == 0) return;
        var e = Serialize(type, peerId, payload);
        foreach (var browser in _browsers)
            browser.Offer(e);
    }

    private static BrowserEvent Serialize<T>(string type, string? peerId, T payload) => new(type, peerId, JsonSerializer.Serialize(payload, Json));

    /// <summary>Departed peers stay visible until there are more than <see cref="VisualizationOptions.MaxPeers"/>; then the longest gone go.</summary>
    private void ForgetDepartedBeyondLimit()
    {
        var excess = _peers.Count - options.MaxPeers;
        foreach (var departed in _peers.Values.Where(p => p.State == PeerState.Left).OrderBy(p => p.JoinedAtMs).Take(Math.Max(0, excess)).ToList())
            _peers.Remove(departed.PeerId);
    }

    /// <summary>The peer's current time in Unix milliseconds, for status samples.</summary>
    public long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();
}
