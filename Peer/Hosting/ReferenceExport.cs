using System.Security.Cryptography;
using System.Text;
using MlAspire.Storage.Export;
using MlAspire.Storage.Membership;
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

    private readonly JoinTokenCheck _joinToken = new(configuration["Peer:JoinToken"]);
    private Encoded? _reference;

    /// <param name="ETag">Names the model for HTTP caches: a hash of <paramref name="Key"/>.</param>
    private sealed record Encoded(string Key, byte[] Onnx, Microsoft.Net.Http.Headers.EntityTagHeaderValue ETag);

    /// <param name="key">What the reference is made of (its transactions' weights ids): the same key, the same model, no new encoding.</param>
    public void Report(string key, ModelWeights reference)
    {
        if (Volatile.Read(ref _reference)?.Key != key)
            Volatile.Write(ref _reference, new Encoded(key, OnnxModel.Write(reference),
                new($"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}\"")));
    }

    public IResult Serve(HttpContext context)
    {
        if (_joinToken.Check(context.Request.Headers.Authorization.FirstOrDefault()) != JoinTokenVerdict.Admitted)
        {
            LogRefused(context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem("Send the join token: Authorization: Bearer <token>.", statusCode: StatusCodes.Status401Unauthorized);
        }
        if (Volatile.Read(ref _reference) is not { } reference)
            return Results.Problem("No reference model yet: the peer has not chosen one since it started.", statusCode: StatusCodes.Status503ServiceUnavailable);
        return Results.File(reference.Onnx, "application/octet-stream", "reference.onnx", entityTag: reference.ETag);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused " + Path + " to {Remote}: join token missing or wrong")]
    private partial void LogRefused(string remote);
}
