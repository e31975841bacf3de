using Microsoft.Extensions.Configuration;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// Publish settings of the K3s manifests (<c>--K3s:Registry ghcr.io/me --K3s:Tag 1.2.0</c>, or K3s__Registry in the
/// environment). The defaults are what deploy/k3s is generated with; kustomize's <c>images:</c> can still override them.
/// </summary>
/// <param name="Registry">Where deploy/build-images.sh pushed the images (the images are REGISTRY/mlaspire/NAME:TAG).</param>
/// <param name="Tag">The image tag; never "latest", so that a deployment names exactly what it runs.</param>
/// <param name="Namespace">The Kubernetes namespace everything goes into.</param>
/// <param name="GrafanaDirectory">deploy/grafana: provisioning and dashboards turned into ConfigMaps.</param>
/// <param name="PrometheusConfig">deploy/prometheus/prometheus-k3s.yml: the in-cluster scrape configuration.</param>
/// <param name="DefaultOutput">deploy/k3s: where the manifests go when no --output-path is given.</param>
/// <param name="PeerDataClaim">
/// A PersistentVolumeClaim holding one dataset folder per peer pod (peer-0, peer-1, …): each pod mounts only its own,
/// read-only, and trains on it (Peer:LocalData). Unset, peers train on their Bootstrap data slots.
/// </param>
/// <param name="OutsidePeers">
/// Networks (CIDRs, comma-separated) of peers outside the cluster that are routed into its pod network: the
/// NetworkPolicies let them call the Bootstrap's and the peers' gRPC, and the peers and the Visualization call them on
/// <see cref="OutsidePeerPort"/> (docs/k3s.md, "Joining from outside"). Empty: no one outside the namespace reaches gRPC.
/// </param>
/// <param name="OutsidePeerPort">The gRPC port outside peers listen on (5201, as the documented settings say).</param>
/// <param name="ClusterNetworks">The cluster's pod and Service networks (K3s' defaults): no outside network may overlap them.</param>
/// <param name="ClusterDomain">The cluster's DNS domain (K3s' default): pods advertise fully qualified names, which resolve outside the cluster too.</param>
/// <param name="StorageClass">
/// The StorageClass of every claim; unset, the cluster's default (K3s' local-path: a volume on one node, so a pod
/// whose node is gone waits for it). A replicated class (Longhorn, Ceph) lets the Bootstrap, Prometheus, Grafana and
/// each peer start again on another node with their data.
/// </param>
internal sealed record K3sSettings(
    string Registry, string Tag, string Namespace, string GrafanaDirectory, string PrometheusConfig, string DefaultOutput,
    string? PeerDataClaim = null, IReadOnlyList<string>? OutsidePeers = null, int OutsidePeerPort = 5201,
    IReadOnlyList<string>? ClusterNetworks = null, string ClusterDomain = "cluster.local", string? StorageClass = null)
{
    public const string Section = "K3s";

    /// <summary>Image repositories are REGISTRY/mlaspire/NAME; each project's ContainerRepository says the same.</summary>
    public const string RepositoryPrefix = "mlaspire/";

    public static K3sSettings From(IConfiguration configuration, string appHostDirectory)
    {
        var section = configuration.GetSection(Section);
        if (section["PodStorage"] is not null)
            throw new InvalidOperationException($"{Section}:PodStorage is gone: peers keep their data on claims sized from --ipfs-storage-max (docs/k3s.md).");
        var tag = section["Tag"] ?? "0.1.0";
        if (tag is "" or "latest")
            throw new InvalidOperationException($"{Section}:Tag is '{tag}'; give an explicit version (a deployment must name exactly what it runs).");
        var clusterNetworks = Networks(section["ClusterNetworks"] ?? "10.42.0.0/16,10.43.0.0/16", "ClusterNetworks");
        var deploy = Path.GetFullPath(Path.Combine(appHostDirectory, "..", "deploy"));
        return new K3sSettings(
            (section["Registry"] ?? "localhost:5000").TrimEnd('/'),
            tag,
            section["Namespace"] ?? "mlaspire",
            section["GrafanaDirectory"] ?? Path.Combine(deploy, "grafana"),
            section["PrometheusConfig"] ?? Path.Combine(deploy, "prometheus", "prometheus-k3s.yml"),
            Path.Combine(deploy, "k3s"),
            section["PeerDataClaim"] is { Length: > 0 } claim ? claim : null,
            OutsidePeerNetworks(section["OutsidePeers"], clusterNetworks),
            int.TryParse(section["OutsidePeerPort"] ?? "5201", out var port) && port is > 0 and < 65536 ? port
                : throw new InvalidOperationException($"{Section}:OutsidePeerPort '{section["OutsidePeerPort"]}' is not a port."),
            clusterNetworks,
            section["ClusterDomain"] ?? "cluster.local",
            section["StorageClass"] is { Length: > 0 } storageClass ? storageClass : null);
    }

    /// <summary>
    /// The outside peers' networks: narrow ones (a /8 at the widest), none overlapping the cluster's own, whose pods an
    /// ipBlock would match too.
    /// </summary>
    private static IReadOnlyList<string> OutsidePeerNetworks(string? setting, IReadOnlyList<string> clusterNetworks)
    {
        var networks = Networks(setting ?? "", "OutsidePeers");
        foreach (var network in networks.Select(System.Net.IPNetwork.Parse))
        {
            if (network.PrefixLength < 8)
                throw new InvalidOperationException($"{Section}:OutsidePeers: {network} is wider than a /8; name the outside peers' own network.");
            // IPNetwork is a struct: FirstOrDefault of none would be 0.0.0.0/0, so the names are compared, not the values.
            if (clusterNetworks.Where(cluster => System.Net.IPNetwork.Parse(cluster) is var c && (c.Contains(network.BaseAddress) || network.Contains(c.BaseAddress))).FirstOrDefault() is { } overlapped)
                throw new InvalidOperationException($"{Section}:OutsidePeers: {network} overlaps the cluster's network {overlapped} ({Section}:ClusterNetworks).");
        }
        return networks;
    }

    private static IReadOnlyList<string> Networks(string setting, string name)
    {
        var networks = setting.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var network in networks)
            if (!System.Net.IPNetwork.TryParse(network, out _))
                throw new InvalidOperationException($"{Section}:{name}: '{network}' is not a network in CIDR notation (e.g. 10.99.0.0/24).");
        return networks;
    }

    /// <summary>A StatefulSet pod's fully qualified name through its headless Service: the same inside and outside the cluster.</summary>
    public string PodHost(string pod, string service) => $"{pod}.{service}.{Namespace}.svc.{ClusterDomain}";

    public string ProjectImage(string workload) => $"{Registry}/{RepositoryPrefix}{workload}:{Tag}";
}
