using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Peer.Hosting;
using MlAspire.Peer.Network;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;
using MlAspire.Storage.Embedded;
using MlAspire.Storage.Ipfs;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Peer.Extensions;

/// <summary>The Peer service: a node of the learning tangle (training loop, storage, gossip, TangleSync over gRPC).</summary>
public static class PeerServiceExtensions
{
    public static IHostApplicationBuilder AddPeerServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = builder.Configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        var dataDirectory = options.ResolveDataDirectory(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new PeerMetrics(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

        services.AddSingleton(_ => PeerIdentity.LoadOrCreate(dataDirectory));
        services.AddSingleton<NeighbourDirectory>();
        switch (options.Storage)
        {
            case "embedded":
                services.AddSingleton<IBlockSource, NeighbourBlockSource>();
                services.AddSingleton<IContentStore>(provider => new EmbeddedContentStore(Path.Combine(dataDirectory, "store"), provider.GetRequiredService<IBlockSource>()));
                services.AddSingleton<IStorageNetwork, EmbeddedStorageNetwork>();
                break;
            case "ipfs":
                var api = options.IpfsApi is { Length: > 0 } url ? new Uri(url) : throw new InvalidOperationException("Peer:Storage is 'ipfs' but Peer:IpfsApi (the Kubo RPC root, e.g. http://127.0.0.1:5001/) is not set.");
                // Not the resilience-wrapped factory client, and no client-wide timeout: pubsub subscriptions are endless
                // streams. KuboRpcClient gives every call its own deadline instead (30 s, repo/gc 5 min).
                // Every call is timed by operation (mlaspire_peer_ipfs_request_duration_seconds).
                services.AddSingleton(provider => new KuboRpcClient(new HttpClient(new IpfsCallTimer(provider.GetRequiredService<PeerMetrics>()) { InnerHandler = new SocketsHttpHandler() })
                {
                    BaseAddress = api,
                    Timeout = Timeout.InfiniteTimeSpan,
                }));
                services.AddSingleton<IContentStore>(provider => new KuboContentStore(provider.GetRequiredService<KuboRpcClient>()));
                services.AddSingleton<IStorageNetwork, IpfsStorageNetwork>();
                services.AddHostedService<PubsubGossip>();
                break;
            default:
                throw new InvalidOperationException($"Peer:Storage is '{options.Storage}'; use 'embedded' or 'ipfs'.");
        }
        services.AddSingleton(provider => new PeerEngine(
            provider.GetRequiredService<IContentStore>(), provider.GetRequiredService<Storage.Transactions.PeerKey>(), provider.GetRequiredService<TimeProvider>(),
            metrics: provider.GetRequiredService<PeerMetrics>()));
        services.AddSingleton<PeerStatusReporter>();
        services.AddSingleton<PeerSession>();
        services.AddSingleton(new AdvertisedAddresses(
            options.AdvertisedGrpcAddress ?? PeerOptions.GrpcUrl(builder.Configuration),
            options.AdvertisedMetricsAddress ?? HostAndPort(builder.Configuration["Kestrel:Endpoints:http:Url"] ?? "http://localhost:5200")));

        // Streaming and long-lived calls: the standard resilience handler's 10 s/30 s timeouts do not apply to Bootstrap calls,
        // which carry their own deadlines and are retried by BootstrapRegistration with backoff.
        services.AddGrpcClient<BootstrapClient>(client => client.Address = new Uri(builder.Configuration["Peer:BootstrapAddress"] ?? "http://_grpc.bootstrap"))
            .AddCallCredentials((_, metadata) =>
            {
                if (builder.Configuration["Peer:JoinToken"] is { Length: > 0 } token)
                    metadata.Add("authorization", $"Bearer {token}");
                return Task.CompletedTask;
            })
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true);

        services.AddHostedService<BootstrapRegistration>();
        services.AddHostedService<GossipService>();
        services.AddHostedService<TrainingLoop>();
        services.AddHostedService<RetentionService>();
        services.AddHostedService(provider => new ReplicaJournal(
            provider.GetRequiredService<PeerEngine>(), Path.Combine(dataDirectory, "replica"), provider.GetRequiredService<ILogger<ReplicaJournal>>()));
        services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 8 * 1024 * 1024);
        // The status reports NaN accuracy until the first reference model is measured.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals);
        return builder;
    }

    public static WebApplication MapPeerEndpoints(this WebApplication app)
    {
        app.MapGrpcService<TangleSyncService>();
        app.MapGet("/", (PeerStatusReporter status) => Results.Ok(status.Current()));
        app.MapIpfsMetrics();
        return app;
    }

    private static string HostAndPort(string url) => new Uri(url.Replace("://+", "://localhost").Replace("://*", "://localhost")).Authority;
}
