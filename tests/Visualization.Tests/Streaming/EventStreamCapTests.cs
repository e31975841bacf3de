using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MlAspire.Visualization.Model;
using MlAspire.Visualization.Streaming;

namespace MlAspire.Visualization.Tests.Streaming;

/// <summary>At most Visualization:MaxBrowsers event streams are open at once, and the metric counts exactly those.</summary>
public sealed class EventStreamCapTests
{
    [Fact]
    public void Slots_are_bounded_released_once_and_counted_by_the_metric()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var connected = new MetricCollector<long>(meters, BrowserMetrics.MeterName, BrowserMetrics.BrowsersConnectedName);
        var slots = new BrowserSlots(new VisualizationOptions { MaxBrowsers = 2 }, new BrowserMetrics(meters));

        var first = slots.TryTake();
        var second = slots.TryTake();
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(slots.TryTake());
        Assert.Equal(2, Connected(connected));

        first.Dispose();
        first.Dispose();
        Assert.Equal(1, Connected(connected));
        using var third = slots.TryTake();
        Assert.NotNull(third);
        Assert.Null(slots.TryTake());
        Assert.Equal(2, Connected(connected));
    }

    [Fact]
    public async Task One_stream_more_than_the_cap_gets_503_with_retry_after_until_one_ends()
    {
        await using var app = await StartAsync(maxBrowsers: 2);
        using var connected = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), BrowserMetrics.MeterName, BrowserMetrics.BrowsersConnectedName);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()) };

        using var first = await OpenAsync(http);
        using var second = await OpenAsync(http);
        using var refused = await OpenAsync(http);

        Assert.Equal((HttpStatusCode.OK, "text/event-stream"), (first.StatusCode, first.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(EventStreamEndpoint.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(2, Connected(connected));

        // A stream that ends frees its slot, and the metric follows.
        first.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpResponseMessage again;
        while ((again = await OpenAsync(http)).StatusCode != HttpStatusCode.OK)
        {
            again.Dispose();
            Assert.True(DateTime.UtcNow < deadline, "the slot of the stream that ended was never freed");
            await Task.Delay(50);
        }
        using (again)
            Assert.Equal(2, Connected(connected));
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient http) =>
        await http.GetAsync(new Uri("/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);

    private static long Connected(MetricCollector<long> collector) => collector.GetMeasurementSnapshot().Sum(m => m.Value);

    /// <summary>The event stream endpoint alone, as the Visualization wires it, on a loopback port.</summary>
    private static async Task<WebApplication> StartAsync(int maxBrowsers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The test's output folder holds the services' appsettings.json: their Kestrel endpoints are not this app's.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(); // where UseUrls writes
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(new VisualizationOptions { MaxBrowsers = maxBrowsers });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TangleModel>();
        builder.Services.AddSingleton<BrowserMetrics>();
        builder.Services.AddSingleton<BrowserSlots>();
        var app = builder.Build();
        app.MapEventStream();
        await app.StartAsync();
        return app;
    }
}
