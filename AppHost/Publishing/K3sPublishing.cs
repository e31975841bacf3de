#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // Pipeline steps and their output folder are experimental in Aspire 13.6; this is their intended use.
using Aspire.Hosting.Pipelines;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// The "publish-k3s" pipeline step: the Kubernetes manifests of this AppHost's model (one workload per project, peers as
/// a StatefulSet with a Kubo sidecar each), plus Prometheus and Grafana, written to the output path.
/// <code>dotnet run --project AppHost -- --operation publish --step publish-k3s</code>
/// writes deploy/k3s; <c>--output-path DIR</c> writes DIR instead (a relative DIR is under AppHost/, where it runs).
/// Settings: <see cref="K3sSettings"/>; the AppHost's own settings apply too (<c>--peers 6</c> gives 6 replicas).
/// </summary>
internal static class K3sPublishing
{
    public const string StepName = "publish-k3s";

    public static IDistributedApplicationBuilder AddK3sPublishing(this IDistributedApplicationBuilder builder)
    {
        builder.Pipeline.AddStep(StepName, async context =>
        {
            try
            {
                await PublishAsync(builder, context);
            }
            catch
            {
                // Aspire logs a failed step but exits 0; a script running `publish && kubectl apply` must see it fail.
                Environment.ExitCode = 1;
                throw;
            }
        });
        return builder;
    }

    private static async Task PublishAsync(IDistributedApplicationBuilder builder, PipelineStepContext context)
    {
        var settings = K3sSettings.From(builder.Configuration, builder.AppHostDirectory);
        // Without --output-path, the checked-in folder deploy/k3s (Aspire's own default is AppHost/aspire-output).
        var output = builder.Configuration["Pipeline:OutputPath"] is { Length: > 0 }
            ? context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory()
            : settings.DefaultOutput;
        var topology = new AppTopology(context.Model, settings);
        foreach (var name in topology.Unpublished)
            context.Logger.LogWarning("{Resource} is not published to K3s: only projects and their child containers are", name);

        // An outside peer keeps its weights in its embedded store, which the peers read over gRPC; peers beside Kubo
        // nodes fetch through the nodes' private swarm instead, where an outside peer is not.
        if (settings.OutsidePeers is { Count: > 0 } && topology.Workloads.Any(workload => workload.IsStateful && workload.Sidecars.Count > 0))
            throw new InvalidOperationException($"{K3sSettings.Section}:OutsidePeers needs the peers on the embedded store (--ipfs embedded): peers beside Kubo nodes fetch weights through the nodes' swarm, which an outside peer is not in.");
        var environment = new EnvironmentResolver(topology, builder.ExecutionContext);
        var workloads = new WorkloadManifests(settings, environment, context.Services, context.Logger);
        var files = new List<(string, IReadOnlyList<IKubernetesObject>)> { ("namespace.yaml", [Namespace(settings)]) };
        foreach (var workload in topology.Workloads)
            files.Add(($"{workload.Name}.yaml", await workloads.BuildAsync(workload, context.CancellationToken)));
        var monitoring = new MonitoringManifests(settings);
        environment.Secrets.Add(MonitoringManifests.GrafanaAdminSecret);
        files.Add(("prometheus.yaml", monitoring.Prometheus()));
        files.Add(("grafana.yaml", monitoring.Grafana()));
        files.Add(("network.yaml", new NetworkPolicies(settings).Build()));

        ConfigChecksums.Apply(files.SelectMany(file => file.Item2).ToList());
        var written = ManifestFiles.Write(output, files, environment.Secrets);
        // Not a kustomize resource: applied only where cert-manager runs (deploy/tls/grpc-certs.sh decides).
        written.Add(ManifestFiles.WriteExtra(output, "tls/cert-manager.yaml", GrpcTls.CertManagerObjects(settings, topology.Workloads)));
        context.Logger.LogInformation("K3s manifests for {Workloads} written to {Output}: {Files}",
            string.Join(", ", topology.Workloads.Select(workload => $"{workload.Name} ×{workload.Replicas.Count}")), output, string.Join(", ", written));
    }

    private static V1Namespace Namespace(K3sSettings settings) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = settings.Namespace,
            Labels = new Dictionary<string, string>
            {
                [Labels.PartOf] = Labels.System,
                // Pod Security admission refuses any pod that does not meet "restricted", as its rules stood in the
                // Kubernetes version the manifests are validated against, and warns about the newest version's rules.
                ["pod-security.kubernetes.io/enforce"] = "restricted",
                ["pod-security.kubernetes.io/enforce-version"] = "v1.30",
                ["pod-security.kubernetes.io/warn"] = "restricted",
                ["pod-security.kubernetes.io/warn-version"] = "latest",
            },
        },
    };
}
