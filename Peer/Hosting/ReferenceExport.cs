using System.Security.Cryptography;
using System.Text;
using MlAspire.Storage.Export;
using MlAspire.Tangle.Learning;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// The peer's newest reference model, served as ONNX at <see cref="Path"/> to whoever holds the join token (the same
/// <c>Authorization: Bearer</c> the Bootstrap asks for): the consensus model leaves the network in a form other tools
/// read, and only for those who may join it. Written by the training loop, which encodes each new reference once;
/// requests only copy the bytes out. One encoded reference is swapped whole.
/// </summary>
public sealed partial class ReferenceExport(IConfiguration configuration, ILogger<ReferenceExport> logger)
{
    public const string Path = "/reference.onnx";

    private readonly byte[]? _tokenHash = configuration["Peer:JoinToken"] is { Length: > 0 } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;
    private Encoded? _reference;

    private sealed record Encoded(string Key, byte[] Onnx);

    /// <param name="key">What the reference is made of (its transactions' weights ids): the same key, the same model, no new encoding.</param>
    public void Report(string key, ModelWeights reference)
    {
        if (Volatile.Read(ref _reference)?.Key != key)
            Volatile.Write(ref _reference, new Encoded(key, OnnxModel.Write(reference)));
    }

    public IResult Serve(HttpContext context)
    {
        if (!Admitted(context.Request.Headers.Authorization.ToString()))
        {
            LogRefused(context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem("Send the join token: Authorization: Bearer <token>.", statusCode: StatusCodes.Status401Unauthorized);
        }
        if (Volatile.Read(ref _reference) is not { } reference)
            return Results.Problem("No reference model yet: the peer has not finished its first training step.", statusCode: StatusCodes.Status503ServiceUnavailable);
        var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reference.Key)))[..32]}\"");
        return Results.File(reference.Onnx, "application/octet-stream", "reference.onnx", entityTag: etag);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused " + Path + " to {Remote}: join token missing or wrong")]
    private partial void LogRefused(string remote);

    private bool Admitted(string authorization)
    {
        const string bearer = "Bearer ";
        if (_tokenHash is null)
            return true; // an open network (no join token) is open here too, as at the Bootstrap
        if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(authorization[bearer.Length..].Trim())), _tokenHash);
    }
}
