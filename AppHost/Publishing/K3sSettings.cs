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
internal sealed record K3sSettings(
    string Registry, string Tag, string Namespace, string GrafanaDirectory, string PrometheusConfig, string DefaultOutput,
    string? PeerDataClaim = null)
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
        var deploy = Path.GetFullPath(Path.Combine(appHostDirectory, "..", "deploy"));
        return new K3sSettings(
            (section["Registry"] ?? "localhost:5000").TrimEnd('/'),
            tag,
            section["Namespace"] ?? "mlaspire",
            section["GrafanaDirectory"] ?? Path.Combine(deploy, "grafana"),
            section["PrometheusConfig"] ?? Path.Combine(deploy, "prometheus", "prometheus-k3s.yml"),
            Path.Combine(deploy, "k3s"),
            section["PeerDataClaim"] is { Length: > 0 } claim ? claim : null);
    }

    public string ProjectImage(string workload) => $"{Registry}/{RepositoryPrefix}{workload}:{Tag}";
}
