using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace MlAspire.AppHost.Tests;

/// <summary>
/// The app model each IPFS mode builds, inspected without starting anything (so no container runtime or Node.js is
/// needed): which resources exist and what the peers wait for.
/// </summary>
public sealed class AppModelTests
{
    [Fact]
    public async Task Containers_mode_gives_each_peer_a_kubo_container_it_does_not_wait_for()
    {
        await using var builder = await ModelAsync("--ipfs", "containers", "--peers", "3");

        var containers = builder.Resources.OfType<ContainerResource>().ToList();
        Assert.Equal(["ipfs-peer-1", "ipfs-peer-2", "ipfs-peer-3"], containers.Select(c => c.Name).Order());
        Assert.All(containers, container =>
        {
            Assert.True(container.TryGetContainerImageName(out var image));
            Assert.StartsWith("ipfs/kubo:", image);
            Assert.Contains(container.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "api" && e.TargetPort == 5001);
        });
        Assert.All(Peers(builder), peer => Assert.DoesNotContain(WaitsFor(peer), name => name.StartsWith("ipfs-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Js_ipfs_mode_gives_each_peer_a_node_it_waits_for_after_setup()
    {
        await using var builder = await ModelAsync("--ipfs", "js-ipfs", "--peers", "2");

        var nodes = builder.Resources.OfType<ExecutableResource>().Where(e => e.Name.StartsWith("ipfs-peer-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, node => Assert.Contains("ipfs-setup", WaitsFor(node)));
        Assert.All(Peers(builder), peer => Assert.Contains($"ipfs-{peer.Name}", WaitsFor(peer)));
        Assert.Empty(builder.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task Embedded_mode_has_no_ipfs_resources()
    {
        await using var builder = await ModelAsync("--ipfs", "embedded");

        Assert.Equal(4, Peers(builder).Count);
        Assert.DoesNotContain(builder.Resources, r => r.Name.StartsWith("ipfs-", StringComparison.Ordinal));
        Assert.Contains(builder.Resources.OfType<ParameterResource>(), p => p.Name == "join-token" && p.Secret);
    }

    [Fact]
    public async Task An_unknown_ipfs_mode_is_refused()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("--ipfs", "floppy"));
        Assert.Contains("floppy", error.ToString());
    }

    private static async Task<IDistributedApplicationTestingBuilder> ModelAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, timeout.Token);
    }

    private static List<ProjectResource> Peers(IDistributedApplicationTestingBuilder builder) =>
        [.. builder.Resources.OfType<ProjectResource>().Where(p => p.Name.StartsWith("peer-", StringComparison.Ordinal))];

    private static IEnumerable<string> WaitsFor(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);
}
