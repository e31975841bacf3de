using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using MlAspire.Peer.Telemetry;

namespace MlAspire.Peer.Tests.Telemetry;

/// <summary>
/// /metrics/ipfs over real HTTP, in process: a peer app with the endpoint mapped as Program.cs maps it, and a stand-in
/// IPFS node whose answers the tests choose. (Monitoring.Tests scrapes it from a real peer on a real js-ipfs node.)
/// </summary>
public sealed class IpfsMetricsEndpointTests : IAsyncLifetime
{
    private const string Page = "# TYPE ipfs_test_total counter\nipfs_test_total 42\n";

    private readonly List<WebApplication> _apps = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<string> _nodeRequests = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var app in _apps)
            await app.DisposeAsync();
    }

    [Fact]
    public async Task The_node_page_is_forwarded_as_prometheus_text_from_its_fixed_path()
    {
        var node = await StartNodeAsync(context => context.Response.WriteAsync(Page));
        var peer = await StartPeerAsync("ipfs", node);

        using var response = await _http.GetAsync(new Uri(peer, "metrics/ipfs?path=/api/v0/shutdown"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Page, await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["GET /debug/metrics/prometheus"], NodeRequests());
    }

    [Fact]
    public async Task Only_get_is_served()
    {
        var node = await StartNodeAsync(context => context.Response.WriteAsync(Page));
        var peer = await StartPeerAsync("ipfs", node);

        using var response = await _http.PostAsync(new Uri(peer, "metrics/ipfs"), content: null);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Empty(NodeRequests());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // chunked: the cap must hold while reading, not only on Content-Length
    public async Task A_page_over_the_cap_is_refused(bool announcesLength)
    {
        var oversized = new byte[IpfsMetricsEndpoint.MaxBytes + 1];
        var node = await StartNodeAsync(async context =>
        {
            if (announcesLength)
                context.Response.ContentLength = oversized.Length;
            await context.Response.Body.WriteAsync(oversized);
        });
        var peer = await StartPeerAsync("ipfs", node);

        using var response = await _http.GetAsync(new Uri(peer, "metrics/ipfs"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("exceed", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_page_at_the_cap_is_forwarded()
    {
        var page = new byte[IpfsMetricsEndpoint.MaxBytes];
        var node = await StartNodeAsync(context => context.Response.Body.WriteAsync(page).AsTask());
        var peer = await StartPeerAsync("ipfs", node);

        using var response = await _http.GetAsync(new Uri(peer, "metrics/ipfs"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(page.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task A_node_that_never_answers_is_a_gateway_timeout_at_the_deadline()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (the backlog) and never answers
        var peer = await StartPeerAsync("ipfs", new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/"));
        var clock = Stopwatch.StartNew();

        using var response = await _http.GetAsync(new Uri(peer, "metrics/ipfs"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        // Ended at its deadline, not at once and not hung: timers may fire a few ms early, and a busy machine runs late.
        Assert.True(clock.Elapsed >= IpfsMetricsEndpoint.Deadline - TimeSpan.FromMilliseconds(100) && clock.Elapsed < IpfsMetricsEndpoint.Deadline + TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_node_that_is_down_or_failing_is_a_bad_gateway()
    {
        var failing = await StartNodeAsync(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var down = new Uri($"http://127.0.0.1:{FreePort()}/");

        foreach (var node in new[] { failing, down })
        {
            using var response = await _http.GetAsync(new Uri(await StartPeerAsync("ipfs", node), "metrics/ipfs"));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_peer_on_the_embedded_store_has_no_ipfs_metrics()
    {
        var node = await StartNodeAsync(context => context.Response.WriteAsync(Page));
        var peer = await StartPeerAsync("embedded", node);

        using var response = await _http.GetAsync(new Uri(peer, "metrics/ipfs"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(NodeRequests());
    }

    private List<string> NodeRequests()
    {
        lock (_nodeRequests)
            return [.. _nodeRequests];
    }

    /// <summary>A stand-in IPFS node: records each request's method and path, and answers with <paramref name="answer"/>.</summary>
    private async Task<Uri> StartNodeAsync(RequestDelegate answer)
    {
        var node = LoopbackApp.Builder().Build();
        node.Run(context =>
        {
            lock (_nodeRequests)
                _nodeRequests.Add($"{context.Request.Method} {context.Request.Path}");
            return answer(context);
        });
        return await StartAsync(node);
    }

    /// <summary>A web app configured as a peer with <paramref name="storage"/> and its node at <paramref name="ipfsApi"/>, mapping only this endpoint.</summary>
    private async Task<Uri> StartPeerAsync(string storage, Uri ipfsApi)
    {
        var builder = LoopbackApp.Builder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Peer:Storage"] = storage,
            ["Peer:IpfsApi"] = ipfsApi.ToString(),
        });
        var peer = builder.Build();
        peer.MapIpfsMetrics();
        return await StartAsync(peer);
    }

    private async Task<Uri> StartAsync(WebApplication app)
    {
        _apps.Add(app);
        await app.StartAsync();
        return LoopbackApp.Address(app);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
