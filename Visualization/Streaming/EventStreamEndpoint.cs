using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Streaming;

/// <summary>
/// GET /api/events?peer=ID: the live feed of the page, as Server-Sent Events. First a "snapshot" (peers, accuracy
/// history, the selected peer's newest transactions), then "transactions", "status" and "peers" events as they happen.
/// The page never polls: it only listens, and EventSource reconnects by itself (to a fresh snapshot). Beyond
/// <see cref="VisualizationOptions.MaxBrowsers"/> open streams, one more is answered 503 with a Retry-After.
/// </summary>
public static class EventStreamEndpoint
{
    /// <summary>Seconds a refused browser waits before trying again (the page waits as long).</summary>
    public const int RetryAfterSeconds = 10;

    public static IEndpointRouteBuilder MapEventStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", IResult (string? peer, HttpContext http, TangleModel model, BrowserSlots slots, IHostApplicationLifetime lifetime, CancellationToken aborted) =>
        {
            if (slots.TryTake() is not { } slot)
            {
                http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem("Too many browsers are following the live tangle; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            // Released when the response ends, however it ends: even a stream never started gives its slot back.
            http.Response.RegisterForDispose(slot);
            var subscription = model.Subscribe(peer);
            http.Response.RegisterForDispose(subscription);
            return TypedResults.ServerSentEvents(StreamAsync(subscription, lifetime.ApplicationStopping, aborted));
        });
        return app;
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(BrowserSubscription subscription, CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken aborted)
    {
        // Ended when the browser goes or the app stops: an endless response would otherwise hold up shutdown.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        yield return Item(subscription.Snapshot);
        while (await MoreAsync(subscription, ended.Token))
            while (subscription.Events.TryRead(out var e))
                yield return Item(e);
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
