using System.Security.Cryptography;
using System.Text;
using MlAspire.Storage.Export;
using MlAspire.Tangle.Learning;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// The peer's newest reference model, served as ONNX at <see cref="Path"/> to whoever holds the join token (the same
/// <c>Authorization: Bearer</c> the Bootstrap asks for): the consensus model leaves the network in a form other tools
/// read, and only for those who may join it. Written by the training loop, read by requests: one reference swapped whole.
/// </summary>
public sealed class ReferenceExport(IConfiguration configuration)
{
    public const string Path = "/reference.onnx";

    private readonly byte[]? _tokenHash = configuration["Peer:JoinToken"] is { Length: > 0 } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;
    private ModelWeights? _reference;

    public void Report(ModelWeights reference) => Volatile.Write(ref _reference, reference);

    public IResult Serve(HttpRequest request)
    {
        if (!Admitted(request.Headers.Authorization.ToString()))
            return Results.Problem("Send the join token: Authorization: Bearer <token>.", statusCode: StatusCodes.Status401Unauthorized);
        if (Volatile.Read(ref _reference) is not { } reference)
            return Results.Problem("No reference model yet: the peer has not finished its first training step.", statusCode: StatusCodes.Status503ServiceUnavailable);
        return Results.File(OnnxModel.Write(reference), "application/octet-stream", "reference.onnx");
    }

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
