using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging.Abstractions;

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
        foreach (var kubo in containers)
        {
            // The private network: the generated key, and Kubo refusing to start without one.
            var environment = await EnvironmentAsync(kubo);
            Assert.Equal("{swarm-key.value}", environment["IPFS_SWARM_KEY_HEX"]);
            Assert.Equal("1", environment["LIBP2P_FORCE_PNET"]);
            // The API is published on the host's loopback only; inside the container it must listen where Docker forwards.
            Assert.Equal("127.0.0.1", kubo.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "api").TargetHost);
            Assert.Equal("/ip4/0.0.0.0/tcp/5001", environment["IPFS_API_ADDRESS"]);
        }
        foreach (var peer in Peers(builder))
        {
            Assert.DoesNotContain(WaitsFor(peer), name => name.StartsWith("ipfs-", StringComparison.Ordinal));
            var environment = await EnvironmentAsync(peer);
            Assert.Equal("ipfs", environment["Peer__Storage"]);
            Assert.Equal($"{{ipfs-{peer.Name}.bindings.api.url}}/", environment["Peer__IpfsApi"]);
            // Retention keeps the peer's pins under the node's GC watermark: 80% of the default 2GB StorageMax.
            Assert.Equal("1600000000", environment["Peer__StorageCap"]);
        }
    }

    [Fact]
    public async Task Js_ipfs_mode_gives_each_peer_a_node_it_waits_for_after_setup()
    {
        await using var builder = await ModelAsync("--ipfs", "js-ipfs", "--peers", "2");

        var nodes = builder.Resources.OfType<ExecutableResource>().Where(e => e.Name.StartsWith("ipfs-peer-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, nodes.Count);
        Assert.All(nodes, node => Assert.Contains("ipfs-setup", WaitsFor(node)));
        foreach (var node in nodes)
            Assert.Equal("{swarm-key.value}", (await EnvironmentAsync(node))["IPFS_SWARM_KEY_HEX"]);
        Assert.Contains(builder.Resources.OfType<ParameterResource>(), p => p.Name == "swarm-key" && p.Secret);
        foreach (var peer in Peers(builder))
        {
            Assert.Contains($"ipfs-{peer.Name}", WaitsFor(peer));
            Assert.Equal($"{{ipfs-{peer.Name}.bindings.api.url}}/", (await EnvironmentAsync(peer))["Peer__IpfsApi"]);
        }
        Assert.Empty(builder.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task Embedded_mode_has_no_ipfs_resources()
    {
        await using var builder = await ModelAsync("--ipfs", "embedded");

        var peers = Peers(builder);
        Assert.Equal(4, peers.Count);
        Assert.DoesNotContain(builder.Resources, r => r.Name.StartsWith("ipfs-", StringComparison.Ordinal));
        foreach (var peer in peers)
            Assert.Equal("embedded", (await EnvironmentAsync(peer))["Peer__Storage"]);
    }

    [Fact]
    public async Task Peers_are_distinct_and_share_the_generated_join_token_with_the_bootstrap()
    {
        await using var builder = await ModelAsync("--ipfs", "embedded", "--peers", "3", "--state", "/var/mlaspire");

        Assert.Contains(builder.Resources.OfType<ParameterResource>(), p => p.Name == "join-token" && p.Secret);
        var bootstrap = await EnvironmentAsync(builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "bootstrap"));
        Assert.Equal("{join-token.value}", bootstrap["Bootstrap__JoinToken"]);

        var peers = Peers(builder);
        var directories = new List<string>();
        foreach (var peer in peers)
        {
            var environment = await EnvironmentAsync(peer);
            Assert.Equal("{join-token.value}", environment["Peer__JoinToken"]);
            directories.Add(environment["Peer__DataDirectory"]);
            // The fixed ports of Peer/appsettings.json could only be served to one peer.
            Assert.All(peer.Annotations.OfType<EndpointAnnotation>(), endpoint => Assert.Null(endpoint.Port));
        }
        Assert.Equal(["/var/mlaspire/peer-1", "/var/mlaspire/peer-2", "/var/mlaspire/peer-3"], directories.Order());
    }

    [Fact]
    public async Task Model_and_training_interval_settings_reach_the_bootstrap()
    {
        await using var builder = await ModelAsync("--ipfs", "embedded", "--model", "logreg", "--training-interval", "00:00:00.500", "--state", "/var/mlaspire");

        var bootstrap = await EnvironmentAsync(builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "bootstrap"));
        Assert.Equal("logreg", bootstrap["Bootstrap__Model__Architecture"]);
        Assert.Equal("00:00:00.5000000", bootstrap["Bootstrap__Training__Interval"]);
        Assert.Equal("/var/mlaspire/bootstrap-logreg", bootstrap["Bootstrap__DataDirectory"]);
        Assert.False(bootstrap.ContainsKey("Bootstrap__WeightPrecision"));
    }

    [Fact]
    public async Task Layers_and_float16_weights_reach_the_bootstrap_with_a_genesis_folder_of_their_own()
    {
        const string layers = "input:784, dense:32, relu, dense:10, softmax";
        await using var builder = await ModelAsync("--ipfs", "embedded", "--model", layers, "--weight-precision", "float16", "--state", "/var/mlaspire");

        var bootstrap = await EnvironmentAsync(builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "bootstrap"));
        Assert.Equal(layers, bootstrap["Bootstrap__Model__Architecture"]);
        Assert.Equal("Float16", bootstrap["Bootstrap__WeightPrecision"]);
        Assert.Matches("^/var/mlaspire/bootstrap-layers-[0-9a-f]{12}-float16$", bootstrap["Bootstrap__DataDirectory"]);
    }

    [Fact]
    public async Task The_ipfs_storage_max_sets_the_cap_each_peer_keeps_its_pins_under()
    {
        await using var builder = await ModelAsync("--ipfs", "js-ipfs", "--peers", "1", "--ipfs-storage-max", "512MiB");

        Assert.Equal(((512L << 20) / 10 * 8).ToString(), (await EnvironmentAsync(Peers(builder).Single()))["Peer__StorageCap"]);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("--ipfs", "embedded", "--ipfs-storage-max", "lots"));
        Assert.Contains("'ipfs-storage-max' is 'lots'", error.ToString());
    }

    [Fact]
    public async Task A_peer_with_a_folder_under_peer_data_trains_on_it_and_the_others_on_their_slots()
    {
        var root = Directory.CreateTempSubdirectory("peer-data-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "peer-2"));
            await using var builder = await ModelAsync("--ipfs", "embedded", "--peers", "3", "--peer-data", root);

            var environments = new Dictionary<string, Dictionary<string, string>>();
            foreach (var peer in Peers(builder))
                environments[peer.Name] = await EnvironmentAsync(peer);
            Assert.Equal(Path.Combine(root, "peer-2"), environments["peer-2"]["Peer__LocalData"]);
            Assert.False(environments["peer-1"].ContainsKey("Peer__LocalData"));
            Assert.False(environments["peer-3"].ContainsKey("Peer__LocalData"));

            var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("--ipfs", "embedded", "--peer-data", Path.Combine(root, "missing")));
            Assert.Contains("'peer-data'", error.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task An_unknown_ipfs_mode_is_refused()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("--ipfs", "floppy"));
        Assert.Contains("floppy", error.ToString());
    }

    [Fact]
    public async Task Container_monitoring_is_prometheus_and_a_grafana_provisioned_from_deploy()
    {
        await using var builder = await ModelAsync("--ipfs", "embedded", "--monitoring", "containers");

        var containers = builder.Resources.OfType<ContainerResource>().ToDictionary(c => c.Name);
        Assert.Equal(["grafana", "prometheus"], containers.Keys.Order());
        Assert.Contains("bootstrap", WaitsFor(containers["prometheus"]));
        var mounts = containers["grafana"].Annotations.OfType<ContainerMountAnnotation>().ToDictionary(m => m.Target, m => m.Source!);
        Assert.True(File.Exists(Path.Combine(mounts["/etc/grafana/provisioning"], "datasources", "prometheus.yml")));
        Assert.NotEmpty(Directory.GetFiles(mounts["/var/lib/grafana/dashboards"], "*.json"));
        Assert.DoesNotContain(builder.Resources, r => WaitsFor(r).Any(name => name is "prometheus" or "grafana"));
    }

    [Fact]
    public async Task Without_containers_monitoring_is_a_local_prometheus_or_nothing()
    {
        await using (var builder = await ModelAsync("--ipfs", "embedded", "--monitoring", "prometheus"))
        {
            var prometheus = Assert.Single(builder.Resources.OfType<ExecutableResource>(), e => e.Name == "prometheus");
            Assert.Contains("bootstrap", WaitsFor(prometheus));
            Assert.Empty(builder.Resources.OfType<ContainerResource>());
        }
        await using (var builder = await ModelAsync("--ipfs", "embedded", "--monitoring", "none"))
            Assert.DoesNotContain(builder.Resources, r => r.Name is "prometheus" or "grafana");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("--monitoring", "nagios"));
        Assert.Contains("nagios", error.ToString());
    }

    [Fact]
    public async Task Every_service_runs_its_Release_assembly_with_dotnet_and_no_launcher()
    {
        await using var builder = await ModelAsync("--ipfs", "embedded", "--peers", "2", "--native-peers", "false");

        var projects = builder.Resources.OfType<ProjectResource>().ToList();
        Assert.Equal(["bootstrap", "peer-1", "peer-2", "visualization"], projects.Select(p => p.Name).Order());
        foreach (var project in projects)
        {
            // Release whatever this test project's configuration: AppHost.csproj builds the services so.
            var projectPath = project.GetProjectMetadata().ProjectPath;
            var expected = Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", "Release", "net10.0", Path.GetFileNameWithoutExtension(projectPath) + ".dll");
            var executable = Assert.Single(project.Annotations.OfType<ExecutableAnnotation>());
            Assert.Equal("dotnet", executable.Command);
            Assert.Equal(Path.GetDirectoryName(projectPath), executable.WorkingDirectory); // the content root, as under dotnet run
            var configuration = await ExecutionConfigurationBuilder.Create(project).WithArgumentsConfig()
                .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance, CancellationToken.None);
            Assert.Equal([expected], configuration.Arguments.Select(a => a.Value));
            Assert.True(File.Exists(expected), $"{expected} is not built");
        }
    }

    [Fact]
    public async Task Native_peers_run_the_published_native_program_and_the_other_services_their_assembly()
    {
        await using var builder = await ModelAsync("--ipfs", "embedded", "--peers", "2", "--native-peers", "true");

        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            var projectPath = project.GetProjectMetadata().ProjectPath;
            var executable = Assert.Single(project.Annotations.OfType<ExecutableAnnotation>());
            Assert.Equal(Path.GetDirectoryName(projectPath), executable.WorkingDirectory);
            if (project.Name.StartsWith("peer-", StringComparison.Ordinal))
            {
                // Where tools/native/publish.sh puts it (tests/run.sh runs it before the tests).
                Assert.Equal(Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", "Release", "net10.0", "linux-x64", "publish", "Peer"), executable.Command);
                var configuration = await ExecutionConfigurationBuilder.Create(project).WithArgumentsConfig()
                    .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), NullLogger.Instance, CancellationToken.None);
                Assert.Empty(configuration.Arguments);
            }
            else
                Assert.Equal("dotnet", executable.Command);
        }
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ModelAsync("--native-peers", "yes"));
        Assert.Contains("'native-peers' is 'yes'", error.ToString());
    }

    /// <summary>The app model for <paramref name="args"/>; with <c>--native-peers false</c> unless they say, so that no model publishes the peer.</summary>
    private static async Task<IDistributedApplicationTestingBuilder> ModelAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string[] peers = args.Contains("--native-peers") ? [] : ["--native-peers", "false"];
        return await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([.. args, .. peers], timeout.Token);
    }

    private static List<ProjectResource> Peers(IDistributedApplicationTestingBuilder builder) =>
        [.. builder.Resources.OfType<ProjectResource>().Where(p => p.Name.StartsWith("peer-", StringComparison.Ordinal))];

    /// <summary>The environment as the manifest would record it: references appear as expressions such as {join-token.value}.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentAsync(IResource resource)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None);
        return configuration.EnvironmentVariables.ToDictionary();
    }

    private static IEnumerable<string> WaitsFor(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);
}
