namespace MlAspire.AppHost.Publishing;

/// <summary>
/// The resource keeps state in the folder <paramref name="Variable"/> names. Run locally the AppHost sets the variable to
/// a folder under the state folder; published, the workload mounts a volume and points the variable at it.
/// </summary>
internal sealed record DataDirectoryAnnotation(string Variable) : IResourceAnnotation;

/// <summary>
/// The resource may train on a dataset of its own, whose folder <paramref name="Variable"/> names. Published with
/// K3s:PeerDataClaim, each pod mounts its own folder of that claim read-only; without it, peers use their data slots.
/// </summary>
internal sealed record OwnDataAnnotation(string Variable) : IResourceAnnotation;

/// <summary>
/// The resource tells others how to reach its <paramref name="EndpointName"/> endpoint through <paramref name="Variable"/>
/// (a URL, or host:port when <paramref name="HostAndPortOnly"/>). Locally the default (its own Kestrel URL) is right;
/// in a cluster each replica advertises its own stable DNS name.
/// </summary>
internal sealed record AdvertisedAddressAnnotation(string Variable, string EndpointName, bool HostAndPortOnly) : IResourceAnnotation;

/// <summary>
/// The container image's unprivileged user and group, as which a published pod runs it. Run locally the image's own
/// entrypoint chooses; a pod under Pod Security "restricted" may not start it as root to let it drop privileges itself.
/// </summary>
internal sealed record ImageUserAnnotation(long UserId, long GroupId) : IResourceAnnotation;

/// <summary>The container image is a Go program (Kubo): published, it is told its memory limit (GOMEMLIMIT).</summary>
internal sealed record GoProgramAnnotation : IResourceAnnotation;

internal static class K3sAnnotationExtensions
{
    /// <summary>Declares the image a Go program (see <see cref="GoProgramAnnotation"/>).</summary>
    public static IResourceBuilder<ContainerResource> AsGoProgram(this IResourceBuilder<ContainerResource> container) =>
        container.WithAnnotation(new GoProgramAnnotation());

    /// <summary>Declares the image's unprivileged user (see <see cref="ImageUserAnnotation"/>).</summary>
    public static IResourceBuilder<ContainerResource> WithImageUser(this IResourceBuilder<ContainerResource> container, long userId, long groupId) =>
        container.WithAnnotation(new ImageUserAnnotation(userId, groupId));

    /// <summary>Declares the variables through which the resource advertises its endpoints to others (see <see cref="AdvertisedAddressAnnotation"/>).</summary>
    public static IResourceBuilder<ProjectResource> WithAdvertisedAddress(
        this IResourceBuilder<ProjectResource> project, string variable, string endpointName, bool hostAndPortOnly = false) =>
        project.WithAnnotation(new AdvertisedAddressAnnotation(variable, endpointName, hostAndPortOnly));
}
