using MlAspire.Visualization.Membership;
using MlAspire.Visualization.Model;
using MlAspire.Visualization.Streaming;
using MlAspire.Visualization.Watching;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Visualization.Extensions;

/// <summary>
/// The Visualization web app: an observer member of the tangle that follows the bootstrap's membership and every
/// peer's replica, and streams them to the page.
/// </summary>
public static class VisualizationServiceExtensions
{
    public static IHostApplicationBuilder AddVisualizationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.Configuration.ReadSecretFile("Visualization:JoinToken");
        var options = (builder.Configuration.GetSection(VisualizationOptions.Section).Get<VisualizationOptions>() ?? new VisualizationOptions()).Validate();
        var bootstrapAddress = options.ResolveBootstrapAddress(builder.Configuration);
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TangleModel>();
        services.AddSingleton<BrowserMetrics>();
        services.AddSingleton<BrowserSlots>();
        services.AddSingleton<ObserverIdentity>();
        services.AddSingleton<PeerWatchers>();

        // A plain channel rather than the factory client: the resilience handler's 30 s total timeout would end WatchPeers.
        services.AddSingleton(provider =>
        {
            var trust = provider.GetRequiredService<GrpcTrust>();
            var address = trust.Check(bootstrapAddress);
            var channel = Grpc.Net.Client.GrpcChannel.ForAddress(address, new Grpc.Net.Client.GrpcChannelOptions
            {
                HttpHandler = trust.Secure(new SocketsHttpHandler { KeepAlivePingDelay = TimeSpan.FromSeconds(20), KeepAlivePingTimeout = TimeSpan.FromSeconds(10) }),
                Credentials = GrpcTrust.ChannelCredentials(address, JoinTokenCredentials(options.JoinToken)),
                UnsafeUseInsecureChannelCallCredentials = true,
                MaxReceiveMessageSize = 16 * 1024 * 1024, // the member list of a full Bootstrap, with room to spare
            });
            return new BootstrapClient(channel);
        });
        services.AddHostedService<ObserverMembership>();
        services.AddHostedService<MembershipWatcher>();
        return builder;
    }

    public static WebApplication MapVisualizationEndpoints(this WebApplication app)
    {
        // Middleware rather than endpoints: "/" must be rewritten to "/index.html" before files are served.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapEventStream();
        // Created now rather than with the first browser, so that /metrics reports 0 connected browsers from the start.
        app.Services.GetRequiredService<BrowserMetrics>();
        return app;
    }

    private static Grpc.Core.CallCredentials JoinTokenCredentials(string? token) =>
        Grpc.Core.CallCredentials.FromInterceptor((_, metadata) =>
        {
            if (token is { Length: > 0 }) metadata.Add("authorization", $"Bearer {token}");
            return Task.CompletedTask;
        });
}
