using System.Net;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// One Kubernetes workload made from the app model: the project resources of one project (peer-1 … peer-N are one
/// workload "peer" with N replicas) and the containers whose parent is one of them (sidecars in the same pod).
/// </summary>
/// <param name="Name">The project's name in lower case (Peer.csproj: "peer"); names the workload, its Service and its image.</param>
/// <param name="Replicas">The project resources, in model order: replica i is pod NAME-i of a StatefulSet.</param>
/// <param name="Sidecars">The first replica's child containers; every replica has the same ones.</param>
internal sealed record Workload(string Name, IReadOnlyList<ProjectResource> Replicas, IReadOnlyList<ContainerResource> Sidecars)
{
    public ProjectResource Template => Replicas[0];

    /// <summary>
    /// A workload whose replicas advertise their own address needs stable per-replica names: a StatefulSet behind a
    /// headless Service gives pod NAME-i the DNS name NAME-i.NAME. Others are Deployments behind a ClusterIP Service.
    /// </summary>
    public bool IsStateful => Template.HasAnnotationOfType<AdvertisedAddressAnnotation>();

    /// <summary>Exposed outside the cluster (K3s' service load balancer) when the model marks an endpoint external.</summary>
    public bool IsExternal => Endpoints(Template).Any(endpoint => endpoint.IsExternal);

    /// <summary>
    /// The endpoints a cluster serves: cleartext only (TLS ends at the cluster's edge), so the "https" endpoint Aspire
    /// derives for local runs is left out, together with the variables that point at it.
    /// </summary>
    public static IEnumerable<EndpointAnnotation> Endpoints(IResource resource) =>
        resource.Annotations.OfType<EndpointAnnotation>().Where(endpoint => endpoint.UriScheme != "https");

    /// <summary>
    /// An endpoint the model binds to a loopback address (<see cref="EndpointAnnotation.TargetHost"/> 127.0.0.1 or ::1):
    /// in a cluster it listens inside its pod only, for the pod's other containers.
    /// </summary>
    public static bool IsPodLocal(EndpointAnnotation endpoint) =>
        IPAddress.TryParse(endpoint.TargetHost, out var address) && IPAddress.IsLoopback(address);

    /// <summary>The port an endpoint listens on in the container: its target port, else ASP.NET's container default 8080.</summary>
    public static int TargetPort(EndpointAnnotation endpoint) => endpoint.TargetPort ?? 8080;

    /// <summary>A sidecar's container name: its resource name without the replica's ("ipfs-peer-1" in peer-1 is "ipfs").</summary>
    public string SidecarName(ContainerResource sidecar) =>
        sidecar.Name.Replace("-" + Template.Name, "", StringComparison.Ordinal).Replace(Template.Name, Name, StringComparison.Ordinal);
}

/// <summary>The app model grouped into workloads, and where each resource ends up in the cluster.</summary>
internal sealed class AppTopology
{
    private readonly Dictionary<IResource, (Workload Workload, int Index)> _projects = [];
    private readonly Dictionary<IResource, Workload> _sidecars = [];
    private readonly K3sSettings _settings;

    public IReadOnlyList<Workload> Workloads { get; }

    /// <summary>Resources the cluster does not run as such (standalone containers, executables), named for the log.</summary>
    public IReadOnlyList<string> Unpublished { get; }

    public AppTopology(DistributedApplicationModel model, K3sSettings settings)
    {
        _settings = settings;
        var children = model.Resources.OfType<ContainerResource>()
            .Select(container => (container, parent: container.Annotations.OfType<ResourceRelationshipAnnotation>()
                .FirstOrDefault(relation => relation.Type == "Parent")?.Resource))
            .Where(pair => pair.parent is ProjectResource)
            .ToLookup(pair => pair.parent!, pair => pair.container);

        Workloads = model.Resources.OfType<ProjectResource>()
            .GroupBy(project => project.GetProjectMetadata().ProjectPath)
            .Select(group => new Workload(
                Path.GetFileNameWithoutExtension(group.Key).ToLowerInvariant(), [.. group], [.. children[group.First()]]))
            .ToList();

        foreach (var workload in Workloads)
        {
            for (var i = 0; i < workload.Replicas.Count; i++)
            {
                _projects[workload.Replicas[i]] = (workload, i);
                foreach (var sidecar in children[workload.Replicas[i]])
                    _sidecars[sidecar] = workload;
            }
        }

        Unpublished = model.Resources
            .Where(resource => resource is not (ProjectResource or ParameterResource) && !_sidecars.ContainsKey(resource))
            .Select(resource => resource.Name)
            .ToList();
    }

    /// <summary>
    /// The host name <paramref name="self"/>'s containers use to reach <paramref name="target"/>: loopback for a container
    /// of the same pod, NAME-i.NAME for replica i of a StatefulSet, the workload's Service otherwise.
    /// </summary>
    public string HostOf(IResource target, Workload self)
    {
        if (_sidecars.TryGetValue(target, out var owner))
            return owner == self ? "127.0.0.1" : throw new InvalidOperationException(
                $"'{target.Name}' runs inside the pods of '{owner.Name}'; '{self.Name}' cannot reach it in a cluster.");
        if (_projects.TryGetValue(target, out var place))
            return place.Workload.IsStateful ? _settings.PodHost($"{place.Workload.Name}-{place.Index}", place.Workload.Name) : place.Workload.Name;
        throw new InvalidOperationException($"'{target.Name}' is not published to the cluster, so '{self.Name}' cannot reference it.");
    }
}
