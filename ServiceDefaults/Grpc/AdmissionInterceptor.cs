using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A gRPC server interceptor that decides, before a call runs, whether to admit it. Every call kind goes through
/// <see cref="Admit"/>, so a method added to a service later is guarded too.
/// </summary>
public abstract class AdmissionInterceptor : Interceptor
{
    /// <summary>Throws an <see cref="RpcException"/> to refuse the call.</summary>
    protected abstract void Admit(ServerCallContext context);

    public sealed override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, context);
    }

    public sealed override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(request, responseStream, context);
    }

    public sealed override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, context);
    }

    public sealed override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Admit(context);
        return continuation(requestStream, responseStream, context);
    }
}
