using MlAspire.Peer.Hosting;

namespace MlAspire.Peer.Telemetry;

/// <summary>
/// GET /metrics/ipfs: this peer's IPFS node's Prometheus metrics, read from its RPC API. The API listens on loopback only
/// (it controls the node and has no authentication), so Prometheus cannot scrape it; the peer forwards this one read-only
/// page instead: a fixed path, a deadline and a size cap, nothing of the request but the method.
/// </summary>
public sealed class IpfsMetricsEndpoint(HttpClient http, Uri metrics)
{
    public const string Path = "/metrics/ipfs";

    /// <summary>Where Kubo and js-ipfs serve their metrics on the RPC API's port.</summary>
    public const string NodePath = "debug/metrics/prometheus";

    /// <summary>Kubo's page is about 100 KiB; a node sending more is broken or hostile.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Within Prometheus' default scrape timeout (10 s), so that a hung node shows as a failed scrape, not a hung one.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(8);

    private const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public async Task<IResult> ForwardAsync(CancellationToken cancellationToken)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(Deadline);
        try
        {
            using var response = await http.GetAsync(metrics, HttpCompletionOption.ResponseHeadersRead, guard.Token);
            if (!response.IsSuccessStatusCode)
                return Results.Problem($"The IPFS node answered {(int)response.StatusCode}.", statusCode: StatusCodes.Status502BadGateway);
            if (response.Content.Headers.ContentLength > MaxBytes)
                return TooLarge();
            await using var body = await response.Content.ReadAsStreamAsync(guard.Token);
            using var page = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, guard.Token)) > 0)
            {
                if (page.Length + read > MaxBytes)
                    return TooLarge();
                page.Write(buffer, 0, read);
            }
            return Results.Bytes(page.ToArray(), ContentType);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Results.Problem($"The IPFS node did not answer within {Deadline.TotalSeconds:0} s.", statusCode: StatusCodes.Status504GatewayTimeout);
        }
        catch (HttpRequestException e)
        {
            return Results.Problem($"The IPFS node cannot be reached: {e.Message}", statusCode: StatusCodes.Status502BadGateway);
        }
    }

    private static IResult TooLarge() =>
        Results.Problem($"The IPFS node's metrics exceed {MaxBytes} bytes.", statusCode: StatusCodes.Status502BadGateway);
}

public static class IpfsMetricsEndpointExtensions
{
    /// <summary>Maps <see cref="IpfsMetricsEndpoint.Path"/> when the peer stores in IPFS; otherwise the path stays a 404.</summary>
    public static WebApplication MapIpfsMetrics(this WebApplication app)
    {
        var options = app.Configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        if (options.Storage != "ipfs" || options.IpfsApi is not { Length: > 0 } api)
            return app;
        // Its own client: not the resilience-wrapped factory one, whose retries would outlast a scrape.
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        app.Lifetime.ApplicationStopped.Register(http.Dispose);
        var endpoint = new IpfsMetricsEndpoint(http, new Uri(new Uri(api), IpfsMetricsEndpoint.NodePath));
        app.MapGet(IpfsMetricsEndpoint.Path, endpoint.ForwardAsync);
        return app;
    }
}
