namespace MlAspire.Visualization.Streaming;

/// <summary>
/// The browsers following the live page, at most <see cref="VisualizationOptions.MaxBrowsers"/>: each holds a slot for
/// as long as its event stream is open, so every browser costs a bounded queue and the server a bounded sum of them.
/// The connected-browsers metric counts exactly the slots held.
/// </summary>
public sealed class BrowserSlots(VisualizationOptions options, BrowserMetrics metrics)
{
    private int _held;

    /// <summary>A slot to dispose when the browser goes, or null when every slot is held.</summary>
    public IDisposable? TryTake()
    {
        if (Interlocked.Increment(ref _held) > options.MaxBrowsers)
        {
            Interlocked.Decrement(ref _held);
            return null;
        }
        metrics.BrowserConnected();
        return new Slot(this);
    }

    private void Release()
    {
        Interlocked.Decrement(ref _held);
        metrics.BrowserDisconnected();
    }

    private sealed class Slot(BrowserSlots slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release();
        }
    }
}
