using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Streaming;

/// <summary>
/// GET /api/events?peer=ID: the live feed of the page, as Server-Sent Events. First a "snapshot" (peers, accuracy
/// history, the selected peer's newest transactions), then "transactions", "status" and "peers" events as they happen.
/// The page never polls: it only listens, and EventSource reconnects by itself (to a fresh snapshot).
/// </summary>
public static class EventStreamEndpoint
{
    public static IEndpointRouteBuilder MapEventStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", (string? peer, TangleModel model, BrowserMetrics metrics, IHostApplicationLifetime lifetime, CancellationToken aborted) =>
            TypedResults.ServerSentEvents(StreamAsync(model.Subscribe(peer), metrics, lifetime.ApplicationStopping, aborted)));
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(BrowserSubscription subscription, BrowserMetrics metrics, CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken aborted)
    {
        metrics.BrowserConnected();
        try
        {
            // Ended when the browser goes or the app stops: an endless response would otherwise hold up shutdown.
            using (var ended = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping))
            using (subscription)
            {
                yield return Item(subscription.Snapshot);
                while (await MoreAsync(subscription, ended.Token))
                    while (subscription.Events.TryRead(out var e))
                        yield return Item(e);
            }
        }
        finally
        {
            metrics.BrowserDisconnected();
        }
    }

    /// <summary>
    /// False when the stream should end quietly: the browser fell behind (EventSource reconnects to a fresh snapshot),
    /// went away, or the app is stopping.
    /// </summary>
    private static async ValueTask<bool> MoreAsync(BrowserSubscription subscription, CancellationToken ended)
    {
        try
        {
            return await subscription.Events.WaitToReadAsync(ended);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && ended.IsCancellationRequested))
        {
            return false;
        }
    }

    private static SseItem<string> Item(BrowserEvent e) => new(e.Json, e.Type);
}
