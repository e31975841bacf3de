using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MlAspire.AppHost.Publishing;

namespace MlAspire.AppHost;

/// <summary>
/// The peers' storage in the app model: for each peer, its own IPFS node (a Kubo container or a js-ipfs process) whose
/// Kubo RPC API the peer gets as Peer:IpfsApi, or nothing at all in embedded mode (Peer:Storage=embedded). The nodes
/// form a private network: each gets <paramref name="swarmKey"/> (64 hex characters) as IPFS_SWARM_KEY_HEX and only
/// connects to nodes holding the same key.
/// </summary>
internal sealed class IpfsNodes(IDistributedApplicationBuilder builder, IpfsChoice choice, TopologySettings settings, IResourceBuilder<ParameterResource> swarmKey)
{
    /// <summary>
    /// Pinned for reproducible runs. Not pulled on the development machines (no Docker there), so untried here.
    /// At least v0.39.0: older images skip symlinked init scripts, and a Kubernetes ConfigMap mounts files as symlinks.
    /// </summary>
    public const string KuboImage = "ipfs/kubo";
    public const string KuboTag = "v0.39.0";

    /// <summary>What the Kubo API listens on inside its container when run by the AppHost (see <see cref="AddKuboContainer"/>).</summary>
    private const string PublishedApiAddress = "/ip4/0.0.0.0/tcp/5001";

    private JsIpfsTools? _tools;
    private IResourceBuilder<ExecutableResource>? _setup;
    private readonly List<(string Name, EndpointReference Endpoint)> _apiEndpoints = [];

    /// <summary>Each IPFS node's RPC API endpoint, where it also serves /debug/metrics/prometheus (for Prometheus).</summary>
    public IReadOnlyList<(string Name, EndpointReference Endpoint)> ApiEndpoints => _apiEndpoints;

    private JsIpfsTools Tools => _tools ??= JsIpfsTools.At(builder.AppHostDirectory);

    /// <summary>Gives <paramref name="peer"/> its storage: a dedicated IPFS node named after it, or the embedded store.</summary>
    public void Attach(IResourceBuilder<ProjectResource> peer)
    {
        var name = $"ipfs-{peer.Resource.Name}";
        switch (choice.Mode)
        {
            case IpfsMode.Containers:
                // Never WaitFor a container: when the runtime is down it never starts, and the peer would wait forever.
                var kubo = AddKuboContainer(name).WithParentRelationship(peer);
                _apiEndpoints.Add((name, kubo.GetEndpoint("api")));
                peer.WithEnvironment("Peer__Storage", "ipfs")
                    .WithEnvironment("Peer__IpfsApi", ReferenceExpression.Create($"{kubo.GetEndpoint("api")}/"))
                    .WithEnvironment("Peer__StorageCap", settings.PeerStorageCap.ToString(CultureInfo.InvariantCulture));
                break;
            case IpfsMode.JsIpfs:
                // Through the API endpoint's proxy: the port the node listens on is only known to the node's own spec.
                var node = AddJsIpfsNode(name).WithParentRelationship(peer);
                _apiEndpoints.Add((name, node.GetEndpoint("api")));
                peer.WithEnvironment("Peer__Storage", "ipfs")
                    .WithEnvironment("Peer__IpfsApi", ReferenceExpression.Create($"{node.GetEndpoint("api")}/"))
                    .WithEnvironment("Peer__StorageCap", settings.PeerStorageCap.ToString(CultureInfo.InvariantCulture))
                    .WaitFor(node);
                break;
            default:
                // The same cap as beside a node: the peer's store is the one its claim (K3s) is sized from.
                peer.WithEnvironment("Peer__Storage", "embedded")
                    .WithEnvironment("Peer__StorageCap", settings.PeerStorageCap.ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>
    /// Kubo on the private network, with pubsub, the garbage collector, a storage cap and a connection manager of 40/70
    /// connections. The daemon flags are the image's defaults plus --enable-gc; the rest is config set by
    /// ipfs/container-init.d/001-mlaspire.sh from the IPFS_* variables, which the image's entrypoint runs after
    /// `ipfs init` and before `ipfs daemon`.
    /// </summary>
    /// <remarks>
    /// The RPC API is bound to loopback: the "api" endpoint's target host 127.0.0.1 publishes the container's port on
    /// the host's loopback only (Aspire's default too, made explicit), and the K3s publisher takes it as "inside the pod
    /// only", where the script's default API address (127.0.0.1) applies. Run by the AppHost the peer is a host process,
    /// so inside the container the API listens on every interface, or Docker could not forward the published port.
    /// </remarks>
    private IResourceBuilder<ContainerResource> AddKuboContainer(string name)
    {
        var kubo = builder.AddContainer(name, KuboImage, KuboTag)
            .WithHttpEndpoint(targetPort: 5001, name: "api")
            .WithEndpoint("api", endpoint => endpoint.TargetHost = "127.0.0.1")
            .WithEndpoint(targetPort: 4001, name: "swarm", scheme: "tcp")
            .WithVolume($"mlaspire-{name}", "/data/ipfs") // the repo outlives the container, as the peer's data directory does
            .WithContainerFiles("/container-init.d", Path.Combine(builder.AppHostDirectory, "ipfs", "container-init.d"))
            .WithEnvironment("IPFS_SWARM_KEY_HEX", swarmKey)
            .WithEnvironment("LIBP2P_FORCE_PNET", "1")
            .WithEnvironment("IPFS_TELEMETRY", "off") // a private node does not report itself to the public telemetry service
            .WithEnvironment("IPFS_STORAGE_MAX", settings.IpfsStorageMax)
            .WithEnvironment("IPFS_CONNMGR_LOW", "40")
            .WithEnvironment("IPFS_CONNMGR_HIGH", "70")
            .WithArgs("daemon", "--migrate=true", "--enable-gc")
            // The image's "ipfs" user (uid 1000, group "users"), to which its entrypoint drops when started as root; it
            // skips that step when started as this user. The repo's claim must be writable by it (docs/k3s.md, storage).
            .WithImageUser(userId: 1000, groupId: 100)
            .AsGoProgram()
            .WithIpfsApiHealthCheck();
        if (!builder.ExecutionContext.IsPublishMode)
            kubo.WithEnvironment("IPFS_API_ADDRESS", PublishedApiAddress);
        return kubo;
    }

    /// <summary>
    /// A js-ipfs daemon on loopback and on the private network (tools/ipfs/start-node.sh REPO API_PORT SWARM_PORT
    /// STORAGE_MAX, with IPFS_SWARM_KEY_HEX). Its two ports are allocated by Aspire, so they show in the dashboard; nodes
    /// dial each other on the swarm port they listen on (no proxy), peers reach the API through its endpoint. The repo is
    /// kept under the state folder, one per peer.
    /// </summary>
    private IResourceBuilder<ExecutableResource> AddJsIpfsNode(string name)
    {
        var node = builder.AddExecutable(name, "bash", Tools.Directory)
            .WithHttpEndpoint(name: "api")
            .WithEndpoint(name: "swarm", scheme: "tcp")
            .WithEnvironment("IPFS_SWARM_KEY_HEX", swarmKey);
        var repo = settings.IpfsRepository(name);
        return node
            .WithArgs(Tools.StartScript, repo,
                node.GetEndpoint("api").Property(EndpointProperty.TargetPort),
                node.GetEndpoint("swarm").Property(EndpointProperty.TargetPort),
                settings.IpfsStorageMax)
            .WaitForCompletion(Setup())
            .WithIpfsApiHealthCheck();
    }

    /// <summary>
    /// tools/ipfs/setup.sh as a resource that runs to completion before any js-ipfs node starts: it checks the install
    /// against the lockfile and the pubsub patch (well under a second), or installs js-ipfs with npm ci (about 35 s).
    /// </summary>
    private IResourceBuilder<ExecutableResource> Setup() =>
        _setup ??= builder.AddExecutable("ipfs-setup", "bash", Tools.Directory, Tools.SetupScript);

    /// <summary>Logs the mode and the reason, once, with the AppHost's logger as the app starts.</summary>
    public void LogChoice()
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((startEvent, _) =>
        {
            var logger = startEvent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MlAspire.AppHost");
            logger.LogInformation("IPFS mode: {Mode} ({Reason})", choice.Name, choice.Reason);
            if (choice.Mode == IpfsMode.JsIpfs)
                logger.LogInformation("js-ipfs: resource 'ipfs-setup' runs tools/ipfs/setup.sh first (instant when installed, npm ci otherwise); repos under {Repos}",
                    settings.IpfsRepository(""));
            return Task.CompletedTask;
        });
    }
}

internal static class IpfsNodesExtensions
{
    /// <summary>Chooses the IPFS mode (see <see cref="IpfsChoice.Choose"/>) and logs it, with the reason, when the app starts.</summary>
    public static IpfsNodes AddIpfs(this IDistributedApplicationBuilder builder, TopologySettings settings, IResourceBuilder<ParameterResource> swarmKey)
    {
        var nodes = new IpfsNodes(builder, IpfsChoice.Choose(builder), settings, swarmKey);
        nodes.LogChoice();
        return nodes;
    }

    /// <summary>Gives the peer its own IPFS node, or the embedded store, depending on the mode.</summary>
    public static IResourceBuilder<ProjectResource> WithIpfsNode(this IResourceBuilder<ProjectResource> peer, IpfsNodes ipfs)
    {
        ipfs.Attach(peer);
        return peer;
    }

    /// <summary>Healthy once the Kubo RPC API answers POST /api/v0/version (it refuses GET, so WithHttpHealthCheck cannot do it).</summary>
    public static IResourceBuilder<T> WithIpfsApiHealthCheck<T>(this IResourceBuilder<T> node) where T : IResourceWithEndpoints
    {
        var api = node.GetEndpoint("api");
        var key = $"{node.Resource.Name}_ipfs_api";
        node.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            using var response = await HealthClient.PostAsync(new Uri(new Uri(api.Url), "api/v0/version"), content: null, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"POST /api/v0/version returned {(int)response.StatusCode}");
        });
        return node.WithHealthCheck(key);
    }

    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(3) };
}
