using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// The Kubernetes objects of one workload: its pod (the project's container, then its sidecars), a StatefulSet with a
/// headless Service or a Deployment with a Service, and the ConfigMaps and volume claims the pod mounts.
/// </summary>
internal sealed class WorkloadManifests(
    K3sSettings settings, EnvironmentResolver environment, IServiceProvider services, ILogger logger)
{
    private readonly SidecarContainers sidecars = new(settings, environment, services);

    /// <summary>Where a workload's data directory is mounted; its variable (see <see cref="DataDirectoryAnnotation"/>) points here.</summary>
    public static string DataPath(string workload) => $"/data/{workload}";

    /// <summary>The .NET images' non-root "app" user: the group that owns the mounted volumes, so the service can write them.</summary>
    private const long AppUserId = 1654;

    public async Task<List<IKubernetesObject>> BuildAsync(Workload workload, CancellationToken cancellationToken)
    {
        var objects = new List<IKubernetesObject>();
        var labels = Labels.For(workload.Name, workload.Name, settings.Tag);
        var volumes = new List<V1Volume>();
        var main = await MainContainerAsync(workload, cancellationToken);
        var containers = new List<V1Container> { main };
        foreach (var sidecar in workload.Sidecars)
            containers.Add(await sidecars.BuildAsync(workload, sidecar, volumes, objects, cancellationToken, LogOmitted));

        // Data outlives its pod on a claim: a peer's key is its identity and its replica and Kubo repo its tangle, and the
        // bootstrap's genesis orphans every peer's tangle when lost. A replicated workload's pods get a claim each from
        // the StatefulSet, sized from the caps of the stores it holds; a restart, an image bump or a rotated Secret
        // (which rolls the pods) finds it again.
        V1PersistentVolumeClaim? claimTemplate = null;
        if (workload.Template.HasAnnotationOfType<DataDirectoryAnnotation>() || workload.Sidecars.Any(SidecarContainers.HasVolume))
        {
            if (workload.IsStateful)
                // A template: the StatefulSet makes pod N's claim "data-NAME-N" in its own namespace. Templates are
                // immutable, so its labels are the selector's, which no image tag changes: with the version label an
                // upgrade's `kubectl apply` would be refused.
                claimTemplate = new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = "data", Labels = Labels.Selector(workload.Name) },
                    Spec = KubeObjects.ClaimSpec(ClaimSizes.ForStores(workload.Name, containers), settings.StorageClass),
                };
            else
            {
                volumes.Insert(0, new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = $"{workload.Name}-data" } });
                objects.Insert(0, KubeObjects.Claim(KubeObjects.Meta($"{workload.Name}-data", settings.Namespace, labels), new ResourceQuantity("1Gi"), settings.StorageClass));
            }
        }

        GrpcTls.Configure(workload, main, volumes);
        if (OwnDataClaim(workload) is { } claim)
            volumes.Add(new V1Volume { Name = "own-data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim, ReadOnlyProperty = true } });

        var pod = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = labels },
            Spec = new V1PodSpec
            {
                SecurityContext = KubeObjects.RestrictedPod(fsGroup: AppUserId),
                AutomountServiceAccountToken = false, // the services never call the Kubernetes API
                EnableServiceLinks = false, // docker-style *_SERVICE_HOST variables would only add noise to the configuration
                Containers = containers,
                Volumes = volumes.Count == 0 ? null : volumes,
            },
        };
        if (workload.IsStateful)
        {
            // Peers of one node fail together: spread them, but place one on a full node rather than leave it pending.
            pod.Spec.TopologySpreadConstraints =
            [
                new V1TopologySpreadConstraint
                {
                    MaxSkew = 1,
                    TopologyKey = "kubernetes.io/hostname",
                    WhenUnsatisfiable = "ScheduleAnyway",
                    LabelSelector = new V1LabelSelector { MatchLabels = Labels.Selector(workload.Name) },
                },
            ];
        }
        objects.Add(Service(workload, labels));
        if (settings.OutsidePeers is { Count: > 0 } && !workload.IsStateful && GrpcTls.ServesGrpc(workload))
            objects.Add(PodAddressServiceFor(workload, labels));
        objects.Add(workload.IsStateful
            ? StatefulSet(workload, labels, pod, claimTemplate)
            // A workload with a claim must stop before its successor mounts it (ReadWriteOnce).
            : KubeObjects.Deployment(KubeObjects.Meta(workload.Name, settings.Namespace, labels), workload.Replicas.Count,
                recreate: volumes.Any(volume => volume.PersistentVolumeClaim is not null), pod.Spec));
        if (DisruptionBudget(workload, labels) is { } budget)
            objects.Add(budget);
        return objects;
    }

    /// <summary>
    /// A drain takes a tenth of the peers at a time. A single workload with a claim (the Bootstrap) is never evicted by a
    /// drain: its claim is on one node (local-path), so an evicted pod would wait there until the node came back; its
    /// operator moves it on purpose instead. On local-path an evicted peer waits for its node too, so a drain of a node
    /// with more peers than the budget does not finish (docs/k3s.md says what to do instead).
    /// </summary>
    private V1PodDisruptionBudget? DisruptionBudget(Workload workload, Dictionary<string, string> labels)
    {
        var metadata = KubeObjects.Meta(workload.Name, settings.Namespace, labels);
        return workload.IsStateful ? KubeObjects.DisruptionBudget(metadata, workload.Name, maxUnavailable: "10%")
            : workload.Template.HasAnnotationOfType<DataDirectoryAnnotation>() ? KubeObjects.DisruptionBudget(metadata, workload.Name, minAvailable: 1)
            : null;
    }

    /// <summary>Where a peer's own dataset is mounted when the cluster has one per pod (K3s:PeerDataClaim).</summary>
    public const string OwnDataPath = "/data/own";

    /// <summary>The claim of per-pod datasets this workload mounts, if it trains on own data and one is configured.</summary>
    private string? OwnDataClaim(Workload workload) =>
        workload.Template.HasAnnotationOfType<OwnDataAnnotation>() ? settings.PeerDataClaim : null;

    private async Task<V1Container> MainContainerAsync(Workload workload, CancellationToken cancellationToken)
    {
        var endpoints = Workload.Endpoints(workload.Template).ToList();
        var env = new List<V1EnvVar>();
        var advertised = workload.Template.Annotations.OfType<AdvertisedAddressAnnotation>().ToList();
        if (advertised.Count > 0 || OwnDataClaim(workload) is not null)
            env.Add(new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } });
        env.AddRange(await ReplicaEnvironmentAsync(workload, cancellationToken));

        foreach (var address in advertised)
        {
            var endpoint = endpoints.SingleOrDefault(candidate => candidate.Name == address.EndpointName)
                ?? throw new InvalidOperationException($"'{workload.Template.Name}' advertises its '{address.EndpointName}' endpoint in {address.Variable}, but has no such endpoint (the model's https endpoints are not published).");
            var hostAndPort = $"{settings.PodHost("$(POD_NAME)", workload.Name)}:{Workload.TargetPort(endpoint).ToString(CultureInfo.InvariantCulture)}";
            env.Add(new V1EnvVar { Name = address.Variable, Value = address.HostAndPortOnly ? hostAndPort : $"{GrpcTls.Scheme(endpoint)}://{hostAndPort}" });
        }

        var mounts = new List<V1VolumeMount>();
        if (workload.Template.TryGetLastAnnotation<DataDirectoryAnnotation>(out var data))
        {
            env.Add(new V1EnvVar { Name = data.Variable, Value = DataPath(workload.Name) });
            mounts.Add(new V1VolumeMount { Name = "data", MountPath = DataPath(workload.Name), SubPath = workload.Name });
        }

        if (OwnDataClaim(workload) is not null && workload.Template.TryGetLastAnnotation<OwnDataAnnotation>(out var own))
        {
            // Each pod sees its own folder of the claim and nothing else of it: the data never leaves its peer.
            env.Add(new V1EnvVar { Name = own.Variable, Value = OwnDataPath });
            mounts.Add(new V1VolumeMount { Name = "own-data", MountPath = OwnDataPath, SubPathExpr = "$(POD_NAME)", ReadOnlyProperty = true });
        }

        var http = endpoints.FirstOrDefault(endpoint => endpoint.Name == "http");
        return new V1Container
        {
            Name = workload.Name,
            Image = settings.ProjectImage(workload.Name),
            ImagePullPolicy = "IfNotPresent",
            Ports = endpoints.Select(Port).ToList(),
            Env = env,
            Resources = ContainerSizes.For(workload.Name),
            // ServiceDefaults maps these on the "http" endpoint: /alive only says the process answers (restart it when
            // it does not), /health runs every check (take the pod out of its Service until it passes).
            LivenessProbe = http is null ? null : KubeObjects.HttpProbe(ServiceHealth.AlivenessPath, failureThreshold: 6),
            ReadinessProbe = http is null ? null : KubeObjects.HttpProbe(ServiceHealth.HealthPath, failureThreshold: 3),
            StartupProbe = http is null ? null : KubeObjects.HttpProbe(ServiceHealth.AlivenessPath, failureThreshold: 30),
            VolumeMounts = mounts.Count == 0 ? null : mounts,
            // Numeric, so the kubelet can check runAsNonRoot whatever user name the image declares.
            SecurityContext = KubeObjects.RestrictedContainer(user: AppUserId),
        };
    }

    /// <summary>The replicas' environment, which must be the same for all: the StatefulSet has one pod template.</summary>
    private async Task<List<V1EnvVar>> ReplicaEnvironmentAsync(Workload workload, CancellationToken cancellationToken)
    {
        List<V1EnvVar>? first = null;
        foreach (var replica in workload.Replicas)
        {
            var omitted = new List<string>();
            var env = await environment.ResolveAsync(replica, workload, omitted, cancellationToken);
            if (first is null)
            {
                first = env;
                LogOmitted(workload.Name, omitted);
                continue;
            }
            var differing = env.Select(KubernetesYaml.Serialize).Except(first.Select(KubernetesYaml.Serialize)).ToList();
            if (differing.Count > 0 || env.Count != first.Count)
                throw new InvalidOperationException(
                    $"'{replica.Name}' and '{workload.Template.Name}' have different environments, but the replicas of '{workload.Name}' share one pod template:\n{string.Join("\n", differing)}");
        }
        return first!;
    }

    internal void LogOmitted(string container, List<string> omitted)
    {
        if (omitted.Count > 0)
            logger.LogInformation("{Container}: left out {Variables} (they point at endpoints the cluster does not serve)", container, string.Join(", ", omitted));
    }

    internal static V1ContainerPort Port(EndpointAnnotation endpoint) => new()
    {
        Name = endpoint.Name,
        ContainerPort = Workload.TargetPort(endpoint),
        Protocol = "TCP",
    };

    private V1Service Service(Workload workload, Dictionary<string, string> labels) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = KubeObjects.Meta(workload.Name, settings.Namespace, labels),
        Spec = new V1ServiceSpec
        {
            // Headless for a StatefulSet: it gives each pod its DNS name, also before it is ready (peers must find each
            // other while they start). External endpoints get K3s' service load balancer (a port on every node).
            ClusterIP = workload.IsStateful ? "None" : null,
            PublishNotReadyAddresses = workload.IsStateful ? true : null,
            Type = workload.IsStateful ? null : workload.IsExternal ? "LoadBalancer" : "ClusterIP",
            Selector = Labels.Selector(workload.Name),
            Ports = Workload.Endpoints(workload.Template).Select(endpoint => new V1ServicePort
            {
                Name = endpoint.Name,
                Port = Workload.TargetPort(endpoint),
                TargetPort = endpoint.Name,
                Protocol = "TCP",
                // HTTP/2 over TLS has no standard appProtocol ("kubernetes.io/h2c" is cleartext's).
                AppProtocol = null,
            }).ToList(),
        },
    };

    /// <summary>
    /// A headless Service whose name resolves to the pods' own addresses. Peers outside the cluster call the Bootstrap
    /// through it: kube-proxy masquerades a connection to a ClusterIP from outside the pod network as the node's, which
    /// the NetworkPolicy's outside networks would no longer match.
    /// </summary>
    public static string PodAddressService(string workload) => $"{workload}-pods";

    private V1Service PodAddressServiceFor(Workload workload, Dictionary<string, string> labels) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = KubeObjects.Meta(PodAddressService(workload.Name), settings.Namespace, labels),
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            Selector = Labels.Selector(workload.Name),
            Ports = Workload.Endpoints(workload.Template).Where(GrpcTls.IsGrpc).Select(endpoint => new V1ServicePort
            {
                Name = endpoint.Name,
                Port = Workload.TargetPort(endpoint),
                TargetPort = endpoint.Name,
                Protocol = "TCP",
            }).ToList(),
        },
    };

    private V1StatefulSet StatefulSet(Workload workload, Dictionary<string, string> labels, V1PodTemplateSpec pod, V1PersistentVolumeClaim? claimTemplate) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = KubeObjects.Meta(workload.Name, settings.Namespace, labels),
        Spec = new V1StatefulSetSpec
        {
            ServiceName = workload.Name,
            Replicas = workload.Replicas.Count,
            // Peers are independent: start and scale them all at once rather than one after another.
            PodManagementPolicy = "Parallel",
            Selector = new V1LabelSelector { MatchLabels = Labels.Selector(workload.Name) },
            Template = pod,
            VolumeClaimTemplates = claimTemplate is null ? null : [claimTemplate],
            // Kubernetes' default, stated: neither scaling down nor deleting the StatefulSet deletes a peer's data.
            PersistentVolumeClaimRetentionPolicy = claimTemplate is null ? null
                : new V1StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = "Retain", WhenScaled = "Retain" },
        },
    };
}

/// <summary>The health endpoints ServiceDefaults maps on every service (ServiceDefaults/Extensions.cs; the Deploy tests check they agree).</summary>
internal static class ServiceHealth
{
    public const string HealthPath = "/health";
    public const string AlivenessPath = "/alive";
}
