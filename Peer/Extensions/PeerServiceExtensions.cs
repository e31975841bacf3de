namespace MlAspire.Peer.Extensions;

/// <summary>The Peer service: a node of the learning tangle (training loop, storage, gossip, TangleSync over gRPC).</summary>
public static class PeerServiceExtensions
{
    public static IHostApplicationBuilder AddPeerServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        return builder;
    }

    public static WebApplication MapPeerEndpoints(this WebApplication app)
    {
        app.MapGet("/", () => Results.Ok(new
        {
            Service = "peer",
            Description = "A learning-tangle node: trains on local data, publishes model updates, serves its tangle replica.",
            Grpc = "cleartext HTTP/2 on the 'grpc' endpoint",
            Endpoints = new[] { "/health", "/alive", "/metrics" },
        }));
        return app;
    }
}
