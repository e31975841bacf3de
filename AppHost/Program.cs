using Microsoft.Extensions.Configuration;

// The MlAspire system: one bootstrap, N learning peers, and a visualization that watches them.
// Containers (IPFS, Prometheus, Grafana) join later, gated on a healthy container runtime.

var builder = DistributedApplication.CreateBuilder(args);

// Number of peer replicas: `dotnet run --project AppHost -- --peers 6` or the environment variable `peers=6`.
var peerCount = builder.Configuration.GetValue("peers", 4);
if (peerCount < 1)
{
    throw new InvalidOperationException($"'peers' must be at least 1 (got {peerCount}).");
}

// Membership, genesis and Prometheus discovery; gRPC on its "grpc" endpoint (cleartext HTTP/2).
var bootstrap = builder.AddProject<Projects.Bootstrap>("bootstrap")
    .WithHttpHealthCheck("/health", endpointName: "http");

// The learning nodes: they join through the bootstrap, then grow the tangle among themselves.
var peers = builder.AddProject<Projects.Peer>("peer")
    .WithReplicas(peerCount)
    .WithReference(bootstrap)
    .WaitFor(bootstrap)
    .WithHttpHealthCheck("/health", endpointName: "http");

// The web UI: learns the peers from the bootstrap and streams their transactions to the browser.
builder.AddProject<Projects.Visualization>("visualization")
    .WithReference(bootstrap)
    .WithReference(peers)
    .WithExternalHttpEndpoints();

builder.Build().Run();
