using System.Net;

namespace MlAspire.Storage.Ipfs;

/// <summary>An RPC call the node answered with an error: a non-2xx status, or an error trailer after a 200 stream.</summary>
public sealed class IpfsApiException(string endpoint, HttpStatusCode statusCode, IpfsError? error)
    : Exception($"IPFS {endpoint} failed with {(int)statusCode} {statusCode}" + (error is null ? "" : $": {error.Message}"))
{
    /// <summary>The RPC path under /api/v0, for example "pin/rm".</summary>
    public string Endpoint { get; } = endpoint;

    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The node's JSON error, or null when the body was not one.</summary>
    public IpfsError? Error { get; } = error;
}
