using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace MlAspire.Deploy.Tests;

/// <summary>
/// Publishes from the AppHost's model after changing it in memory, as an edit of the AppHost would (the ports come from
/// the projects' Kestrel settings, so a test cannot change them on the command line).
/// </summary>
public static class ModelPublication
{
    public static async Task PublishWithPeerGrpcPortAsync(string folder, int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--operation", "publish", "--step", "publish-k3s", "--output-path", folder], timeout.Token);
        foreach (var endpoint in builder.Resources.OfType<ProjectResource>().Where(resource => resource.Name.StartsWith("peer-", StringComparison.Ordinal))
                     .SelectMany(resource => resource.Annotations.OfType<EndpointAnnotation>()).Where(endpoint => endpoint.Name == "grpc"))
            endpoint.TargetPort = port;
        await using var app = await builder.BuildAsync(timeout.Token);
        await app.RunAsync(timeout.Token);
    }
}
