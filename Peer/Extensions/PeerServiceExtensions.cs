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
        builder.Configuration.ReadSecretFile("Peer:JoinToken");
        var options = builder.Configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        var dataDirectory = options.ResolveDataDirectory(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJsonContext.Default));

        // The replica and the four jobs around it: ingesting others' transactions, publishing this peer's own, announcing
        // them, and retention (Engine/).
        services.AddSingleton(_ => new Replica(options.WeightsInMemory, options.DocumentsInMemory));
        services.AddSingleton(provider => new PeerMetrics(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            () => provider.GetRequiredService<Replica>() is { IsInitialized: true } replica ? replica.Snapshot : null));
        services.AddSingleton(_ => PeerIdentity.LoadOrCreate(dataDirectory));
        services.AddSingleton<MembershipState>();
        services.AddSingleton<NeighbourDirectory>();
        services.AddSingleton<StalledNeighbours>();
        services.AddSingleton(provider => new FollowSelection(provider.GetRequiredService<MlAspire.Storage.Transactions.PeerKey>().Id, options.FollowedMembers, new Random()));
        services.AddSingleton(provider => new TangleGuards(provider.GetRequiredService<Replica>(), provider.GetRequiredService<TimeProvider>(),
            () => provider.GetRequiredService<NeighbourDirectory>().Count + 1));
        services.AddSingleton(options.IngestBudget);
        services.AddSingleton<StoreSpace>();
        services.AddSingleton(provider => PinClaims.For(provider.GetRequiredService<Replica>(), provider.GetRequiredService<IContentStore>()));
        services.AddSingleton<ArrivalJudge>();
        services.AddSingleton<ArrivalDelays>();
        services.AddSingleton(provider => new CatchUpFirst(provider.GetRequiredService<ArrivalDelays>(), options.MaxArrivalDelay));
        services.AddSingleton<Ingestor>();
        services.AddSingleton<TransactionDocuments>();
        services.AddSingleton<Publisher>();
        services.AddSingleton<PeerStatusReporter>();
        services.AddSingleton<PeerSession>();
        services.AddSingleton<RejectionLog>();
        services.AddSingleton(new StreamSlots(options.MaxWatchers, options.MaxStreamsPerMember));
        services.AddSingleton<MembershipInterceptor>();
        services.AddStorage(options, dataDirectory);

        var advertisedGrpc = options.AdvertisedGrpcAddress ?? PeerOptions.GrpcUrl(builder.Configuration);
        services.AddSingleton(provider => new AdvertisedAddresses(
            CheckedAdvertisedAddress(advertisedGrpc, provider.GetRequiredService<GrpcTrust>()),
            options.AdvertisedMetricsAddress ?? HostAndPort(builder.Configuration["Kestrel:Endpoints:http:Url"] ?? "http://localhost:5200")));

        // Bootstrap calls carry their own deadlines (the resilience handler's 10 s/30 s do not suit them) and are retried by
        // BootstrapRegistration with backoff.
        // Unset: the Bootstrap's "grpc" endpoint from service discovery, in the scheme the trust allows.
        services.AddGrpcClient<BootstrapClient>((provider, client) =>
        {
            var trust = provider.GetRequiredService<GrpcTrust>();
            client.Address = trust.Check(builder.Configuration["Peer:BootstrapAddress"] is { Length: > 0 } address ? address : (trust.RequiresTls ? "https" : "http") + "://_grpc.bootstrap");
        })
            .ConfigurePrimaryHttpMessageHandler(provider => provider.GetRequiredService<GrpcTrust>().Secure(new SocketsHttpHandler()))
            .AddCallCredentials((_, metadata) =>
            {
                if (builder.Configuration["Peer:JoinToken"] is { Length: > 0 } token)
                    metadata.Add("authorization", $"Bearer {token}");
                return Task.CompletedTask;
            })
            .ConfigureChannel(channel =>
            {
                channel.UnsafeUseInsecureChannelCallCredentials = true;
                channel.MaxReceiveMessageSize = 16 * 1024 * 1024; // the member list of a full Bootstrap, with room to spare
            });

        services.AddHostedService<BootstrapRegistration>();
        services.AddSingleton<ReferenceExport>();
        services.AddSingleton<GossipService>();
        services.AddHostedService(provider => provider.GetRequiredService<GossipService>());
        services.AddHostedService<MemberSampler>();
        services.AddHostedService<AnnouncementService>();
        services.AddHostedService<TrainingLoop>();
        services.AddHostedService<RetentionService>();
        services.AddHostedService<HeapTrimmer>();
        services.AddHostedService(provider => new ReplicaJournal(
            provider.GetRequiredService<Replica>(), provider.GetRequiredService<Ingestor>(), provider.GetRequiredService<IContentStore>(),
            Path.Combine(dataDirectory, "replica"), options.RestoreWait, provider.GetRequiredService<ILogger<ReplicaJournal>>()));
        // Idle connections are pinged, so a caller that vanished frees its streams within seconds.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(15);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<MembershipInterceptor>();
            grpc.MaxReceiveMessageSize = 64 * 1024; // requests are small; what a peer sends back is bounded by the caller
        });
        // The status reports NaN accuracy until the first reference model is measured.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals);
        return builder;
    }

    /// <summary>
    /// A peer that calls only TLS servers advertises one (its neighbours would refuse a cleartext address), and one that
    /// serves TLS calls only TLS servers: otherwise a pod missing Tls:CaFile would quietly call cleartext neighbours.
    /// </summary>
    private static string CheckedAdvertisedAddress(string address, GrpcTrust trust)
    {
        if (trust.Refusal(address) is { } refusal)
            throw new InvalidOperationException($"Peer:AdvertisedGrpcAddress: {refusal}.");
        if (new Uri(address).Scheme == Uri.UriSchemeHttps && !trust.RequiresTls)
            throw new InvalidOperationException($"Peer:AdvertisedGrpcAddress '{address}' is TLS, but {GrpcTrust.CaFileKey} is not set: set it to the network's CA (or to the system's bundle, /etc/ssl/certs/ca-certificates.crt, for publicly issued certificates).");
        return address;
    }

    /// <summary>The store, its network and how announcements travel: embedded (gRPC blocks, watch streams) or IPFS (bitswap, pubsub).</summary>
    private static void AddStorage(this IServiceCollection services, PeerOptions options, string dataDirectory)
    {
        switch (options.Storage)
        {
            case "embedded":
                services.AddSingleton<AskLatency>();
                services.AddSingleton<HedgeBudget>();
                services.AddSingleton<IBlockSource, NeighbourBlockSource>();
                services.AddSingleton<IContentStore>(provider => new EmbeddedContentStore(Path.Combine(dataDirectory, "store"), provider.GetRequiredService<IBlockSource>()));
                services.AddSingleton<IStorageNetwork, EmbeddedStorageNetwork>();
                services.AddSingleton<IAnnouncer, WatchStreamAnnouncer>();
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
                services.AddSingleton<IAnnouncer, PubsubAnnouncer>();
                services.AddHostedService<SwarmDialer>();
                break;
            default:
                throw new InvalidOperationException($"Peer:Storage is '{options.Storage}'; use 'embedded' or 'ipfs'.");
        }
    }

    public static WebApplication MapPeerEndpoints(this WebApplication app)
    {
        app.MapGrpcService<TangleSyncService>();
        app.MapGet("/", (PeerStatusReporter status) => Results.Ok(status.Current()));
        app.MapGet(ReferenceExport.Path, (ReferenceExport export, HttpContext context) => export.Serve(context));
        app.MapIpfsMetrics();
        return app;
    }

    private static string HostAndPort(string url) => new Uri(url.Replace("://+", "://localhost").Replace("://*", "://localhost")).Authority;
}
