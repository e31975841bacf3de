using MlAspire.AppHost;
using MlAspire.AppHost.Publishing;

// The MlAspire system: one bootstrap, N learning peers (each with its own IPFS node, or the embedded store), and a
// visualization that watches them. Settings (`--peers 6`, `--ipfs embedded`, `--model logreg`, `--peer-data DIR`, ...): TopologySettings.cs.
// Prometheus and Grafana watch it all (Monitoring.cs). Each service runs from its Release build, with no launcher; the peers
// run their native program where this machine can publish it (PeerProgram.cs).

var builder = DistributedApplication.CreateBuilder(args);
var settings = TopologySettings.From(builder.Configuration);

// The shared secret peers present to the bootstrap: generated on first run and kept in the AppHost's user secrets
// (set Parameters:join-token to choose it).
var joinToken = builder.AddParameter("join-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

// The IPFS nodes' private network key (swarm.key): 64 hex characters, kept like the join token (Parameters:swarm-key).
// Generated as 64 decimal digits, which are hex digits too: 212 bits of entropy.
var swarmKey = builder.AddParameter("swarm-key", new GenerateParameterDefault { MinLength = 64, Lower = false, Upper = false, Special = false }, secret: true, persist: true);

// Where peers keep weights and transactions: Kubo containers, local js-ipfs nodes, or the embedded store.
// Chosen now (`--ipfs` forces one) and logged with the reason when the app starts; see IpfsMode.cs.
var ipfs = builder.AddIpfs(settings, swarmKey);

// Membership, genesis and Prometheus discovery; gRPC on its "grpc" endpoint (cleartext HTTP/2).
var bootstrap = builder.AddProject<Projects.Bootstrap>("bootstrap")
    .WithBuiltAssembly()
    .WithEnvironment("Bootstrap__JoinToken", joinToken)
    .WithTangleSettings(settings)
    .WithHttpHealthCheck("/health", endpointName: "http");

// The learning nodes: they join through the bootstrap, then grow the tangle among themselves.
// One resource per peer (peer-1 … peer-N) rather than replicas, so that each can be given its own IPFS node.
// Each runs its native program, published now if the code changed since and this machine can (clang), else
// `dotnet Peer.dll` (`--native-peers true|false` insists); logged with the reason when the app starts.
var peerProgram = builder.ChoosePeerProgram(settings);
var peers = new List<IResourceBuilder<ProjectResource>>();
for (var i = 1; i <= settings.Peers; i++)
{
    var name = $"peer-{i}";
    peers.Add(builder.AddProject<Projects.Peer>(name)
        .WithPeerProgram(peerProgram)
        .WithDynamicPorts()
        .WithReference(bootstrap)
        .WaitFor(bootstrap)
        .WithEnvironment("Peer__JoinToken", joinToken)
        .WithLocalDataDirectory("Peer__DataDirectory", settings.PeerDataDirectory(name))
        .WithOwnData(settings)
        .WithIpfsNode(ipfs)
        .WithAdvertisedAddress("Peer__AdvertisedGrpcAddress", "grpc")
        .WithAdvertisedAddress("Peer__AdvertisedMetricsAddress", "http", hostAndPortOnly: true)
        .WithHttpHealthCheck("/health", endpointName: "http"));
}

// The web UI: learns the peers from the bootstrap and streams their transactions to the browser.
var visualization = builder.AddProject<Projects.Visualization>("visualization")
    .WithBuiltAssembly()
    .WithReference(bootstrap)
    .WithEnvironment("Visualization__JoinToken", joinToken)
    .WithExternalHttpEndpoints();
foreach (var peer in peers)
{
    visualization.WithReference(peer);
}

// Prometheus (peers discovered through the bootstrap's /sd/peers) and Grafana provisioned from deploy/: containers when
// the container runtime is healthy, else a local `prometheus` executable, else none; chosen and logged in Monitoring.cs.
builder.AddMonitoring(settings, bootstrap, visualization, ipfs);

// `--operation publish --step publish-k3s` writes the K3s manifests of this model to deploy/k3s; see AppHost/Publishing.
builder.AddK3sPublishing();

builder.Build().Run();
