using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlAspire.Bootstrap.Discovery;
using MlAspire.Bootstrap.Genesis;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Bootstrap.Membership;

namespace MlAspire.Bootstrap.Extensions;

/// <summary>The Bootstrap service: membership (join, heartbeat, leave, watch) with credentials, genesis, Prometheus discovery.</summary>
public static class BootstrapServiceExtensions
{
    public static IHostApplicationBuilder AddBootstrapServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.Configuration.ReadSecretFile("Bootstrap:JoinToken");
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BootstrapOptions>, BootstrapOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<GenesisStore>();
        services.AddSingleton(provider => provider.GetRequiredService<GenesisStore>().LoadOrCreate());
        services.AddSingleton<CredentialIssuer>();
        services.AddSingleton<SlotSampleCaps>();
        services.AddSingleton<IMembershipRegistry, MembershipRegistry>();
        services.AddSingleton<ObserverRegistry>();
        services.AddSingleton<MemberEnrollment>();
        services.AddHostedService<StartupCheck>();
        services.AddHostedService<MembershipSweeper>();

        services.AddSingleton<JoinTokenInterceptor>();
        services.AddSingleton<ProofReplayGuard>();
        services.AddSingleton<RequestProofVerifier>();
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<JoinTokenInterceptor>();
            grpc.MaxReceiveMessageSize = 64 * 1024; // a join with 16 addresses of 512 characters is about 9 KiB
        });
        return builder;
    }

    public static WebApplication MapBootstrapEndpoints(this WebApplication app)
    {
        app.MapGrpcService<BootstrapService>();
        app.MapPrometheusDiscovery();
        app.MapGet("/", () => Results.Ok(new
        {
            Service = "bootstrap",
            Description = "Membership, genesis and Prometheus service discovery for the learning tangle.",
            Grpc = "HTTP/2 on the 'grpc' endpoint, over TLS where it is configured (mlaspire.bootstrap.v1.Bootstrap)",
            Endpoints = new[] { "/health", "/alive", "/metrics", PrometheusDiscovery.Path },
        }));
        return app;
    }
}
