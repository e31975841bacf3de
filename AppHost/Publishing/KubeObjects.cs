using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>Small builders shared by the workload and monitoring manifests.</summary>
internal static class KubeObjects
{
    public static V1ObjectMeta Meta(string name, string @namespace, Dictionary<string, string> labels) =>
        new() { Name = name, NamespaceProperty = @namespace, Labels = labels };

    /// <summary>A ConfigMap of files, keyed by file name in ordinal order, read with LF line ends (output must not depend on the checkout).</summary>
    public static V1ConfigMap FilesConfigMap(V1ObjectMeta metadata, IEnumerable<string> files) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = metadata,
        Data = files.Order(StringComparer.Ordinal).ToDictionary(
            file => Path.GetFileName(file),
            file => File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal)),
    };

    /// <summary>
    /// A container as Pod Security "restricted" admits it: never root, no privilege escalation, no capabilities.
    /// <paramref name="user"/> and <paramref name="group"/> name the image's unprivileged user where the pod does not.
    /// </summary>
    public static V1SecurityContext RestrictedContainer(long? user = null, long? group = null) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        RunAsGroup = group,
        AllowPrivilegeEscalation = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    /// <summary>
    /// A pod as Pod Security "restricted" admits it: never root, the runtime's default seccomp profile. Every container
    /// gets <paramref name="fsGroup"/> as a supplementary group, and volumes whose driver applies it are group-owned by
    /// it (local-path's are not: it makes each volume world-writable instead).
    /// </summary>
    public static V1PodSecurityContext RestrictedPod(long fsGroup, long? user = null) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        FsGroup = fsGroup,
        FsGroupChangePolicy = "OnRootMismatch",
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    /// <summary>
    /// A PodDisruptionBudget for the pods of the workload <paramref name="name"/>: how many a voluntary disruption (a
    /// node drain) may take at once, or how many must stay.
    /// </summary>
    public static V1PodDisruptionBudget DisruptionBudget(V1ObjectMeta metadata, string name, IntOrString? maxUnavailable = null, IntOrString? minAvailable = null) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = metadata,
        Spec = new V1PodDisruptionBudgetSpec
        {
            Selector = new V1LabelSelector { MatchLabels = Labels.Selector(name) },
            MaxUnavailable = maxUnavailable,
            MinAvailable = minAvailable,
        },
    };

    /// <summary>An HTTP GET probe on the container port named "http".</summary>
    public static V1Probe HttpProbe(string path, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = "http" },
        PeriodSeconds = 10,
        TimeoutSeconds = 3,
        FailureThreshold = failureThreshold,
    };

    public static V1Probe TcpProbe(string port, int failureThreshold) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port },
        PeriodSeconds = 10,
        TimeoutSeconds = 3,
        FailureThreshold = failureThreshold,
    };

    /// <summary>
    /// A ReadWriteOnce claim of <paramref name="size"/> of <paramref name="storageClass"/>, or without one of the
    /// cluster's default (K3s' local-path, which binds a volume on the pod's node for good).
    /// </summary>
    public static V1PersistentVolumeClaim Claim(V1ObjectMeta metadata, ResourceQuantity size, string? storageClass) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = metadata,
        Spec = ClaimSpec(size, storageClass),
    };

    public static V1PersistentVolumeClaimSpec ClaimSpec(ResourceQuantity size, string? storageClass) => new()
    {
        StorageClassName = storageClass,
        AccessModes = ["ReadWriteOnce"],
        Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = size } },
    };

    /// <summary>
    /// A Deployment of <paramref name="pod"/>, labelled and selected by the metadata's name. <paramref name="recreate"/>
    /// stops the old pod before the new one starts: a ReadWriteOnce claim cannot be mounted by both, and a second
    /// Prometheus or Grafana would only double the load while it starts.
    /// </summary>
    public static V1Deployment Deployment(V1ObjectMeta metadata, int replicas, bool recreate, V1PodSpec pod) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = metadata,
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = Labels.Selector(metadata.Name) },
            Strategy = recreate ? new V1DeploymentStrategy { Type = "Recreate" } : null,
            Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = metadata.Labels }, Spec = pod },
        },
    };
}
