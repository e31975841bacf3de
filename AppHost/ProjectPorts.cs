namespace MlAspire.AppHost;

internal static class ProjectPorts
{
    /// <summary>
    /// Lets Aspire pick the ports of every endpoint of <paramref name="project"/>. The peers are N resources of one
    /// project, and the fixed ports its appsettings.json names (5200, 5201) can only be served to one of them.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDynamicPorts(this IResourceBuilder<ProjectResource> project)
    {
        foreach (var endpoint in project.Resource.Annotations.OfType<EndpointAnnotation>())
        {
            endpoint.Port = null;
        }
        return project;
    }
}
