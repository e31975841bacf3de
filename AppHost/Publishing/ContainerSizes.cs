using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// CPU, memory and scratch-disk requests and limits of every container. Scratch disk is the container's logs and
/// temporary files only: data lives on claims (<see cref="ClaimSizes"/>). Requests are what a peer pod needs to train
/// steadily (so 100 peers fit on a few nodes), limits what stops one from starving its neighbours.
/// </summary>
internal static class ContainerSizes
{
    private sealed record Size(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit, string DiskRequest = "64Mi", string DiskLimit = "512Mi");

    private static readonly Dictionary<string, Size> Sizes = new(StringComparer.Ordinal)
    {
        ["bootstrap"] = new("100m", "128Mi", "1", "512Mi"),
        ["peer"] = new("100m", "192Mi", "1", "768Mi", "128Mi", "1Gi"),
        ["ipfs"] = new("50m", "96Mi", "500m", "512Mi"), // a peer's Kubo sidecar; its repo is on the pod's claim
        ["visualization"] = new("50m", "96Mi", "500m", "384Mi"),
        ["prometheus"] = new("100m", "256Mi", "1", "1Gi"),
        ["grafana"] = new("50m", "128Mi", "500m", "512Mi"),
    };

    private static readonly Size Default = new("100m", "128Mi", "500m", "512Mi");

    /// <summary>Sizes of a workload's main container (by workload name) or of a sidecar (by container name).</summary>
    public static V1ResourceRequirements For(string name) => Requirements(Sizes.GetValueOrDefault(name, Default));

    private static V1ResourceRequirements Requirements(Size size) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(size.CpuRequest),
            ["memory"] = new(size.MemoryRequest),
            ["ephemeral-storage"] = new(size.DiskRequest),
        },
        Limits = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(size.CpuLimit),
            ["memory"] = new(size.MemoryLimit),
            ["ephemeral-storage"] = new(size.DiskLimit),
        },
    };
}
