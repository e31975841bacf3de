using System.Diagnostics;

namespace MlAspire.Peer.Telemetry;

/// <summary>
/// Times every Kubo RPC call (POST /api/v0/&lt;operation&gt;) the peer makes, until the response headers arrive: for
/// streamed answers (pubsub/sub, repo/gc) that is the time the node took to start answering.
/// </summary>
public sealed class IpfsCallTimer(PeerMetrics metrics) : DelegatingHandler
{
    private const string ApiPrefix = "/api/v0/";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = Operation(request.RequestUri);
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            succeeded = response.IsSuccessStatusCode;
            return response;
        }
        finally
        {
            metrics.IpfsRequest(operation, succeeded, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>"block/get" from http://host:5001/api/v0/block/get?arg=…; the path as is for anything else.</summary>
    private static string Operation(Uri? uri)
    {
        var path = uri?.AbsolutePath ?? "";
        var start = path.IndexOf(ApiPrefix, StringComparison.Ordinal);
        return start < 0 ? path : path[(start + ApiPrefix.Length)..];
    }
}
