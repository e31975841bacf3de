using System.Threading.Channels;

namespace MlAspire.Visualization.Model;

/// <summary>
/// One connected browser: the snapshot it starts from, then the events after it. A browser that falls
/// <see cref="Backlog"/> events behind is ended; its EventSource reconnects and starts again from a fresh snapshot,
/// so a stalled tab can never make the server hold an unbounded queue.
/// </summary>
public sealed class BrowserSubscription : IDisposable
{
    public const int Backlog = 512;
    private readonly Channel<BrowserEvent> _events = Channel.CreateBounded<BrowserEvent>(
        new BoundedChannelOptions(Backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Action<BrowserSubscription> _unsubscribe;

    internal BrowserSubscription(string? selected, BrowserEvent snapshot, Action<BrowserSubscription> unsubscribe)
    {
        Selected = selected;
        Snapshot = snapshot;
        _unsubscribe = unsubscribe;
    }

    public string? Selected { get; }

    public BrowserEvent Snapshot { get; }

    public ChannelReader<BrowserEvent> Events => _events.Reader;

    internal void Offer(BrowserEvent e)
    {
        if (e.PeerId is not null && e.PeerId != Selected) return;
        if (!_events.Writer.TryWrite(e))
            _events.Writer.TryComplete(new TimeoutException($"The browser fell {Backlog} events behind."));
    }

    public void Dispose()
    {
        _unsubscribe(this);
        _events.Writer.TryComplete();
    }
}
