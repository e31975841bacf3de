using Grpc.Core;
using Microsoft.Extensions.Options;
using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Grpc;

/// <summary>
/// Admits a gRPC call only with the metadata "authorization: Bearer &lt;join token&gt;" when Bootstrap:JoinToken is set;
/// admits every call when it is not. Every call kind is checked, so a method added later is guarded too.
/// </summary>
public sealed partial class JoinTokenInterceptor(IOptions<BootstrapOptions> options, ILogger<JoinTokenInterceptor> logger) : AdmissionInterceptor
{
    private readonly JoinTokenCheck _check = new(options.Value.IsOpen ? null : options.Value.JoinToken);

    protected override void Admit(ServerCallContext context)
    {
        switch (_check.Check(context.RequestHeaders.GetValue("authorization")))
        {
            case JoinTokenVerdict.Missing:
                LogRefused(context.Method, context.Peer, "missing");
                throw new RpcException(new Status(StatusCode.Unauthenticated, "join token missing: send the metadata 'authorization: Bearer <token>'"));
            case JoinTokenVerdict.Rejected:
                LogRefused(context.Method, context.Peer, "rejected");
                throw new RpcException(new Status(StatusCode.Unauthenticated, "join token rejected"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Peer}: join token {Problem}")]
    private partial void LogRefused(string method, string peer, string problem);
}
