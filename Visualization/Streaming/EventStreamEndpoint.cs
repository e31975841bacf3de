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
        app.MapGet("/api/events", (string? peer, TangleModel model, BrowserMetrics metrics, CancellationToken aborted) =>
            TypedResults.ServerSentEvents(StreamAsync(model.Subscribe(peer), metrics, aborted)));
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(BrowserSubscription subscription, BrowserMetrics metrics, [EnumeratorCancellation] CancellationToken aborted)
    {
        metrics.BrowserConnected();
        try
        {
            using (subscription)
            {
                yield return Item(subscription.Snapshot);
                while (await MoreAsync(subscription, aborted))
                    while (subscription.Events.TryRead(out var e))
                        yield return Item(e);
            }
        }
        finally
        {
            metrics.BrowserDisconnected();
        }
    }

    /// <summary>False when the browser was ended for falling behind: the response ends and EventSource reconnects.</summary>
    private static async ValueTask<bool> MoreAsync(BrowserSubscription subscription, CancellationToken aborted)
    {
        try
        {
            return await subscription.Events.WaitToReadAsync(aborted);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static SseItem<string> Item(BrowserEvent e) => new(e.Json, e.Type);
}
