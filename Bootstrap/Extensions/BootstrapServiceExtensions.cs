namespace MlAspire.Bootstrap.Extensions;

/// <summary>The Bootstrap service: membership (join, heartbeat, leave, watch), genesis, Prometheus discovery.</summary>
public static class BootstrapServiceExtensions
{
    public static IHostApplicationBuilder AddBootstrapServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        return builder;
    }

    public static WebApplication MapBootstrapEndpoints(this WebApplication app)
    {
        app.MapGet("/", () => Results.Ok(new
        {
            Service = "bootstrap",
            Description = "Membership, genesis and Prometheus service discovery for the learning tangle.",
            Grpc = "cleartext HTTP/2 on the 'grpc' endpoint",
            Endpoints = new[] { "/health", "/alive", "/metrics" },
        }));
        return app;
    }
}
