using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace MlAspire.Bootstrap.Grpc;

/// <summary>
/// Admits a gRPC call only with the metadata "authorization: Bearer &lt;join token&gt;" when Bootstrap:JoinToken is set;
/// admits every call when it is not. Every call kind is checked, so a method added later is guarded too.
/// </summary>
public sealed partial class JoinTokenInterceptor : AdmissionInterceptor
{
    private const string BearerPrefix = "Bearer ";

    // SHA-256 of the token: comparing fixed-length hashes in constant time reveals neither content nor length.
    private readonly byte[]? _tokenHash;
    private readonly ILogger<JoinTokenInterceptor> _logger;

    public JoinTokenInterceptor(IOptions<BootstrapOptions> options, ILogger<JoinTokenInterceptor> logger)
    {
        _logger = logger;
        _tokenHash = options.Value.IsOpen ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.JoinToken!));
    }

    protected override void Admit(ServerCallContext context)
    {
        if (_tokenHash is null)
            return;
        var authorization = context.RequestHeaders.GetValue("authorization");
        if (authorization is null || !authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            LogRefused(context.Method, context.Peer, "missing");
            throw new RpcException(new Status(StatusCode.Unauthenticated, "join token missing: send the metadata 'authorization: Bearer <token>'"));
        }
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[BearerPrefix.Length..].Trim()));
        if (!CryptographicOperations.FixedTimeEquals(presented, _tokenHash))
        {
            LogRefused(context.Method, context.Peer, "rejected");
            throw new RpcException(new Status(StatusCode.Unauthenticated, "join token rejected"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Peer}: join token {Problem}")]
    private partial void LogRefused(string method, string peer, string problem);
}
