using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// Prometheus (Kubernetes pod and node discovery, with the RBAC that needs) and Grafana, provisioned from the files in
/// deploy/: the scrape configuration deploy/prometheus/prometheus-k3s.yml, and whatever deploy/grafana/ holds
/// (provisioning/datasources/*.yml, provisioning/dashboards/*.yml, dashboards/*.json), each folder as a ConfigMap.
/// </summary>
internal sealed class MonitoringManifests(K3sSettings settings)
{
    // The same images the AppHost runs locally with a container runtime.
    public const string PrometheusImage = MonitoringExtensions.PrometheusImage + ":" + MonitoringExtensions.PrometheusTag;
    public const string GrafanaImage = MonitoringExtensions.GrafanaImage + ":" + MonitoringExtensions.GrafanaTag;
    public const int PrometheusPort = 9090;
    public const int GrafanaPort = 3000;

    /// <summary>Prometheus keeps at most this many MiB of series (<c>--storage.tsdb.retention.size</c>); its claim is sized from it.</summary>
    public const long PrometheusRetentionMiB = 1536;

    /// <summary>Grafana's claim: its SQLite database (users, preferences, annotations), which no setting caps.</summary>
    private const string GrafanaClaimSize = "1Gi";

    /// <summary>Where Grafana's dashboards are mounted when no dashboard provider names a path.</summary>
    public const string DefaultDashboardsPath = "/var/lib/grafana/dashboards";

    public List<IKubernetesObject> Prometheus()
    {
        if (!File.Exists(settings.PrometheusConfig))
            throw new FileNotFoundException($"The in-cluster Prometheus configuration {settings.PrometheusConfig} is missing.");
        var labels = Labels.For("prometheus", "monitoring", Tag(PrometheusImage));
        var config = KubeObjects.FilesConfigMap(Meta("prometheus-config", labels), [settings.PrometheusConfig]);
        var container = new V1Container
        {
            Name = "prometheus",
            Image = PrometheusImage,
            ImagePullPolicy = "IfNotPresent",
            Args =
            [
                $"--config.file=/etc/prometheus/{Path.GetFileName(settings.PrometheusConfig)}",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=7d",
                $"--storage.tsdb.retention.size={PrometheusRetentionMiB}MB", // Prometheus's MB is 2^20 bytes
            ],
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = PrometheusPort, Protocol = "TCP" }],
            Resources = ContainerSizes.For("prometheus"),
            LivenessProbe = KubeObjects.HttpProbe("/-/healthy", failureThreshold: 6),
            ReadinessProbe = KubeObjects.HttpProbe("/-/ready", failureThreshold: 3),
            SecurityContext = KubeObjects.RestrictedContainer(),
            VolumeMounts =
            [
                new V1VolumeMount { Name = "config", MountPath = "/etc/prometheus", ReadOnlyProperty = true },
                new V1VolumeMount { Name = "data", MountPath = "/prometheus" },
            ],
        };
        return
        [
            new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = Meta("prometheus", labels) },
            // Pod discovery, in this namespace only: the peers, bootstrap and visualization.
            new V1Role
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "Role",
                Metadata = Meta("prometheus", labels),
                Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list", "watch"] }],
            },
            new V1RoleBinding
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "RoleBinding",
                Metadata = Meta("prometheus", labels),
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "prometheus" },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "prometheus", NamespaceProperty = settings.Namespace }],
            },
            // Node discovery, and each kubelet's cAdvisor metrics read directly (nodes/metrics; not nodes/proxy, which
            // reaches every kubelet endpoint). Nodes are cluster-wide.
            new V1ClusterRole
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "ClusterRole",
                Metadata = new V1ObjectMeta { Name = ClusterScopedName, Labels = labels },
                Rules =
                [
                    new V1PolicyRule { ApiGroups = [""], Resources = ["nodes"], Verbs = ["get", "list", "watch"] },
                    new V1PolicyRule { ApiGroups = [""], Resources = ["nodes/metrics"], Verbs = ["get"] },
                ],
            },
            new V1ClusterRoleBinding
            {
                ApiVersion = "rbac.authorization.k8s.io/v1",
                Kind = "ClusterRoleBinding",
                Metadata = new V1ObjectMeta { Name = ClusterScopedName, Labels = labels },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = ClusterScopedName },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "prometheus", NamespaceProperty = settings.Namespace }],
            },
            config,
            // On a claim: the series outlive the pod, and the kubelet does not count them against its scratch disk.
            KubeObjects.Claim(Meta("prometheus-data", labels), ClaimSizes.ForRetention(PrometheusRetentionMiB << 20)),
            Service("prometheus", labels, PrometheusPort, type: "ClusterIP"),
            KubeObjects.Deployment(Meta("prometheus", labels), replicas: 1, recreate: true, new V1PodSpec
            {
                ServiceAccountName = "prometheus",
                SecurityContext = KubeObjects.RestrictedPod(fsGroup: 65534, user: 65534), // the image's "nobody"
                Containers = [container],
                Volumes =
                [
                    new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "prometheus-config" } },
                    new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "prometheus-data" } },
                ],
            }),
        ];
    }

    public List<IKubernetesObject> Grafana()
    {
        var labels = Labels.For("grafana", "monitoring", Tag(GrafanaImage));
        var provisioning = Path.Combine(settings.GrafanaDirectory, "provisioning");
        var folders = new (string ConfigMap, string Folder, string Pattern, string MountPath)[]
        {
            ("grafana-datasources", Path.Combine(provisioning, "datasources"), "*.y*ml", "/etc/grafana/provisioning/datasources"),
            ("grafana-dashboard-providers", Path.Combine(provisioning, "dashboards"), "*.y*ml", "/etc/grafana/provisioning/dashboards"),
            ("grafana-dashboards", Path.Combine(settings.GrafanaDirectory, "dashboards"), "*.json", DashboardsPath(Path.Combine(provisioning, "dashboards"))),
        };

        var objects = new List<IKubernetesObject> { KubeObjects.Claim(Meta("grafana-data", labels), new ResourceQuantity(GrafanaClaimSize)) };
        var volumes = new List<V1Volume> { new() { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "grafana-data" } } };
        var mounts = new List<V1VolumeMount> { new() { Name = "data", MountPath = "/var/lib/grafana" } };
        foreach (var (name, folder, pattern, mountPath) in folders)
        {
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder, pattern).Order(StringComparer.Ordinal).ToList() : [];
            if (files.Count == 0)
                continue;
            objects.Add(KubeObjects.FilesConfigMap(Meta(name, labels), files));
            volumes.Add(new V1Volume { Name = name, ConfigMap = new V1ConfigMapVolumeSource { Name = name } });
            mounts.Add(new V1VolumeMount { Name = name, MountPath = mountPath, ReadOnlyProperty = true });
        }

        var container = new V1Container
        {
            Name = "grafana",
            Image = GrafanaImage,
            ImagePullPolicy = "IfNotPresent",
            Env =
            [
                // Dashboards are readable without a login; changing them needs the admin account.
                new V1EnvVar { Name = "GF_AUTH_ANONYMOUS_ENABLED", Value = "true" },
                new V1EnvVar { Name = "GF_AUTH_ANONYMOUS_ORG_ROLE", Value = "Viewer" },
            ],
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = GrafanaPort, Protocol = "TCP" }],
            Resources = ContainerSizes.For("grafana"),
            LivenessProbe = KubeObjects.HttpProbe("/api/health", failureThreshold: 6),
            ReadinessProbe = KubeObjects.HttpProbe("/api/health", failureThreshold: 3),
            SecurityContext = KubeObjects.RestrictedContainer(),
            VolumeMounts = mounts,
        };
        objects.Add(Service("grafana", labels, GrafanaPort, type: "LoadBalancer"));
        objects.Add(KubeObjects.Deployment(Meta("grafana", labels), replicas: 1, recreate: true, new V1PodSpec
        {
            SecurityContext = KubeObjects.RestrictedPod(fsGroup: 472, user: 472), // the image's grafana user
            AutomountServiceAccountToken = false, // Grafana reads Prometheus, never the Kubernetes API
            Containers = [container],
            Volumes = volumes,
        }));
        return objects;
    }

    /// <summary>The folder the dashboard provider(s) read (options.path), where the dashboards ConfigMap must be mounted.</summary>
    private static string DashboardsPath(string providersFolder)
    {
        if (!Directory.Exists(providersFolder))
            return DefaultDashboardsPath;
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(providersFolder, "*.y*ml"))
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(file))
                yaml.Load(reader);
            if (yaml.Documents.FirstOrDefault()?.RootNode is YamlMappingNode root
                && root.Children.TryGetValue("providers", out var providers) && providers is YamlSequenceNode list)
            {
                foreach (var provider in list.OfType<YamlMappingNode>())
                {
                    if (provider.Children.TryGetValue("options", out var options) && options is YamlMappingNode map
                        && map.Children.TryGetValue("path", out var path) && path is YamlScalarNode { Value: { Length: > 0 } value })
                        paths.Add(value);
                }
            }
        }
        return paths.Count switch
        {
            0 => DefaultDashboardsPath,
            1 => paths.Min!,
            _ => throw new InvalidOperationException($"The dashboard providers in {providersFolder} read several folders ({string.Join(", ", paths)}); the K3s publisher mounts all dashboards in one."),
        };
    }

    /// <summary>ClusterRole and binding are cluster-wide: named after the namespace, so two installs do not collide.</summary>
    private string ClusterScopedName => $"{settings.Namespace}-prometheus";

    private static string Tag(string image) => image[(image.LastIndexOf(':') + 1)..];

    private V1ObjectMeta Meta(string name, Dictionary<string, string> labels) => KubeObjects.Meta(name, settings.Namespace, labels);

    private V1Service Service(string name, Dictionary<string, string> labels, int port, string type) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta(name, labels),
        Spec = new V1ServiceSpec
        {
            Type = type,
            Selector = Labels.Selector(name),
            Ports = [new V1ServicePort { Name = "http", Port = port, TargetPort = "http", Protocol = "TCP" }],
        },
    };
}
