using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using MlAspire.AppHost.Publishing;
using MlAspire.Bootstrap;
using MlAspire.Integration.Tests;
using MlAspire.Peer.Hosting;

namespace MlAspire.Deploy.Tests;

/// <summary>What the manifests give each service is what the service needs: probes on endpoints it maps, and the settings it reads.</summary>
public sealed class ServiceContractTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    private static readonly string[] HealthPaths = [Extensions.HealthEndpointPath, Extensions.AlivenessEndpointPath];

    private JsonObject Container(string kind, string name) => fresh.Manifests.Single(kind, name).Containers.First();

    [Fact]
    public void EveryProbeTargetsAPortOfItsContainerAndOurServicesProbeTheirHealthEndpointsOnTheirHttpPort()
    {
        var probes = 0;
        foreach (var workload in fresh.Manifests.Workloads)
        {
            foreach (var container in workload.Containers)
            {
                var ports = Manifests.Ports(container).ToList();
                Assert.True(container["livenessProbe"] is not null && container["readinessProbe"] is not null, $"{workload}: {container["name"]} has no liveness or readiness probe");
                foreach (var kind in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
                {
                    if (container[kind] is not JsonObject probe)
                        continue;
                    probes++;
                    var action = (probe["httpGet"] ?? probe["tcpSocket"])!.AsObject();
                    var port = (string)action["port"]!;
                    Assert.True(ports.Any(candidate => candidate.Name == port || candidate.Port.ToString() == port), $"{workload}: {container["name"]} {kind} targets port {port}, which the container does not declare");
                    if (!((string)container["image"]!).Contains("/mlaspire/") || probe["httpGet"] is null)
                        continue;
                    Assert.Contains((string)action["path"]!, HealthPaths);
                    // The port named "http" is the one Kestrel's "http" endpoint listens on (or HTTP_PORTS, without Kestrel settings).
                    var listening = Manifests.Env(container, "Kestrel__Endpoints__http__Url")?.Split(':').Last() ?? Manifests.Env(container, "HTTP_PORTS");
                    Assert.Equal(ports.Single(candidate => candidate.Name == port).Port.ToString(), listening);
                }
            }
        }
        Assert.True(probes >= 10, $"only {probes} probes");
    }

    /// <summary>The real Bootstrap and Peer, started with their containers' environment, answer the probes' paths on the probes' endpoint.</summary>
    [Theory]
    [InlineData("Deployment", "bootstrap", "Bootstrap")]
    [InlineData("StatefulSet", "peer", "Peer")]
    public async Task TheRealServiceAnswersItsProbePaths(string kind, string name, string project)
    {
        var container = Container(kind, name);
        using var data = new TemporaryFolder();
        using var certificates = new TestCertificates();
        var environment = LiteralEnvironment(container, data.Path, certificates.Issue(GrpcTls.SecretName(name), "127.0.0.1"));
        // Free loopback ports instead of the pod's fixed ones (this machine runs other tests); the endpoint names and schemes stay.
        var ports = new Dictionary<string, int>();
        foreach (var (endpoint, _) in Manifests.Ports(container))
        {
            ports[endpoint] = ServiceProcess.FreePort();
            var url = environment[$"Kestrel__Endpoints__{endpoint}__Url"];
            environment[$"Kestrel__Endpoints__{endpoint}__Url"] = $"{url[..url.IndexOf("://", StringComparison.Ordinal)]}://127.0.0.1:{ports[endpoint]}";
        }
        if (name == "peer")
            environment["Peer__Storage"] = "embedded"; // its Kubo sidecar is not here; storage does not change the endpoints

        await using var service = ServiceProcess.Start(name, project, environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports["http"]}"), Timeout = TimeSpan.FromSeconds(5) };
        // The gRPC endpoint serves TLS with the mounted certificate, to a client that trusts the mounted CA.
        using var grpc = new HttpClient(GrpcTrust.FromCaFile(environment["Tls__CaFile"]).Secure(new SocketsHttpHandler())) { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(service.HasExited, $"{name} exited:\n{service.Output}");
            using var request = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{ports["grpc"]}/") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var answer = await grpc.SendAsync(request);
            return true;
        }, TimeSpan.FromSeconds(60), () => $"{name} never answered over TLS on its gRPC port:\n{service.Output}");
        foreach (var kindOfProbe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (container[kindOfProbe]?["httpGet"] is not JsonObject probe)
                continue;
            var path = (string)probe["path"]!;
            HttpStatusCode status = 0;
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(service.HasExited, $"{name} exited:\n{service.Output}");
                status = (await http.GetAsync(path)).StatusCode;
                return true;
            }, TimeSpan.FromSeconds(60), () => $"{name} never answered {path}:\n{service.Output}");
            // 503 is a mapped health endpoint reporting unhealthy (no cluster around it here); 404 would be a wrong path.
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{name} {path}: {status}");
            if (path == Extensions.AlivenessEndpointPath)
                Assert.Equal(HttpStatusCode.OK, status);
        }
    }

    [Fact]
    public void TheBootstrapGetsAValidConfigurationWithItsJoinTokenAndAVolumeForItsData()
    {
        var container = Container("Deployment", "bootstrap");
        var configuration = Configuration("Bootstrap", container);
        var options = configuration.GetSection(BootstrapOptions.Section).Get<BootstrapOptions>() ?? new BootstrapOptions();
        var validation = new BootstrapOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        Assert.False(options.IsOpen, "the bootstrap would accept anyone: Bootstrap__JoinToken is not set");
        AssertSecret(container, "Bootstrap__JoinToken");
        AssertTls(configuration, container);
        AssertMounted(container, options.DataDirectory);
        AssertKestrelEndpoints(container, "http", "grpc");
    }

    [Fact]
    public void PeersGetEverySettingTheyReadPointingAtWhatThePodAndClusterServe()
    {
        var container = Container("StatefulSet", "peer");
        var configuration = Configuration("Peer", container);
        var options = configuration.GetSection(PeerOptions.Section).Get<PeerOptions>()!;
        AssertSecret(container, "Peer__JoinToken");
        AssertTls(configuration, container);
        Assert.Contains(options.Storage, new[] { "embedded", "ipfs" });
        if (options.Storage == "ipfs")
        {
            // The Kubo RPC API of the sidecar in the same pod.
            var api = new Uri(options.IpfsApi!);
            Assert.Equal("127.0.0.1", api.Host);
            var pod = fresh.Manifests.Single("StatefulSet", "peer").Containers.Where(other => other != container);
            Assert.Contains(pod.SelectMany(Manifests.Ports), port => port.Port == api.Port);
        }
        AssertMounted(container, options.DataDirectory!);
        AssertKestrelEndpoints(container, "http", "grpc");
        // Without Peer:BootstrapAddress the peer dials http://_grpc.bootstrap, which service discovery reads from this variable.
        Assert.Null(configuration["Peer:BootstrapAddress"]);
        Assert.NotNull(Manifests.Env(container, "services__bootstrap__grpc__0"));
        // Others reach a peer at the address it advertises: its pod's stable name and its own ports.
        Assert.Equal($"https://$(POD_NAME).peer.mlaspire.svc.cluster.local:{Port(container, "grpc")}", options.AdvertisedGrpcAddress);
        Assert.Equal($"$(POD_NAME).peer.mlaspire.svc.cluster.local:{Port(container, "http")}", options.AdvertisedMetricsAddress);
        Assert.Contains(Manifests.EnvVars(container), env => (string?)env["name"] == "POD_NAME" && (string?)env["valueFrom"]!["fieldRef"]!["fieldPath"] == "metadata.name");
    }

    /// <summary>Every address a container is given names something the cluster serves: a Service port, a StatefulSet pod that exists, or a port of its own pod.</summary>
    [Fact]
    public void EveryAddressInTheEnvironmentResolvesInsideTheCluster()
    {
        var checkedAddresses = 0;
        foreach (var workload in fresh.Manifests.Workloads)
        {
            var podPorts = workload.Containers.SelectMany(Manifests.Ports).Select(port => port.Port).ToHashSet();
            foreach (var container in workload.Containers)
            {
                foreach (var env in Manifests.EnvVars(container))
                {
                    if ((string?)env["value"] is not { } value || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host is "*" or "+")
                        continue;
                    checkedAddresses++;
                    var where = $"{workload}: {container["name"]} {env["name"]}={value}";
                    if (uri.Host == "127.0.0.1")
                    {
                        Assert.True(podPorts.Contains(uri.Port), $"{where}: no container of the pod listens on {uri.Port}");
                        continue;
                    }
                    // "service", or "pod.service.namespace.svc.cluster.local" for a StatefulSet's pod.
                    var parts = uri.Host.Split('.');
                    Assert.True(parts.Length == 1 || parts.Length == 6 && uri.Host.EndsWith(".svc.cluster.local", StringComparison.Ordinal), $"{where}: neither a Service nor a pod's name");
                    var serviceName = parts.Length == 1 ? parts[0] : parts[1];
                    var service = fresh.Manifests.Documents.SingleOrDefault(document => document.Kind == "Service" && document.Name == serviceName);
                    Assert.True(service is not null, $"{where}: no Service {serviceName}");
                    Assert.Contains(service.Tree["spec"]!["ports"]!.AsArray(), port => (string?)port!["port"] == uri.Port.ToString());
                    if (parts.Length == 6)
                    {
                        Assert.Equal((string?)service.Tree["metadata"]!["namespace"], parts[2]);
                        var statefulSet = fresh.Manifests.Single("StatefulSet", parts[1]);
                        var index = int.Parse(parts[0][(parts[1].Length + 1)..]);
                        Assert.True(index < int.Parse((string)statefulSet.Tree["spec"]!["replicas"]!), $"{where}: pod {parts[0]} does not exist");
                    }
                }
            }
        }
        Assert.True(checkedAddresses >= 5, $"only {checkedAddresses} addresses checked");
    }

    /// <summary>
    /// The container's variables with secrets and pod fields replaced by test values, its data directory by
    /// <paramref name="dataDirectory"/> and its TLS mount by <paramref name="tlsDirectory"/>.
    /// </summary>
    private static Dictionary<string, string> LiteralEnvironment(JsonObject container, string dataDirectory, string tlsDirectory)
    {
        var environment = new Dictionary<string, string>();
        foreach (var env in Manifests.EnvVars(container))
        {
            var name = (string)env["name"]!;
            environment[name] = env["valueFrom"]?["secretKeyRef"] is not null ? "test-join-token"
                : env["valueFrom"]?["fieldRef"] is not null ? "pod-0"
                : ((string?)env["value"] ?? "").Replace("$(POD_NAME)", "pod-0");
        }
        foreach (var mount in container["volumeMounts"]?.AsArray() ?? [])
            foreach (var key in environment.Where(pair => pair.Value == (string?)mount!["mountPath"]).Select(pair => pair.Key).ToList())
                environment[key] = Path.Combine(dataDirectory, key);
        foreach (var (key, value) in environment.Where(pair => pair.Value.StartsWith(GrpcTls.MountPath + "/", StringComparison.Ordinal)).ToList())
            environment[key] = Path.Combine(tlsDirectory, value[(GrpcTls.MountPath.Length + 1)..]);
        return environment;
    }

    /// <summary>The service's configuration as it would see it in the pod: its appsettings.json, then the container's variables.</summary>
    private static IConfiguration Configuration(string project, JsonObject container) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Repository.Root, project, "appsettings.json"))
            .AddInMemoryCollection(Manifests.EnvVars(container).Select(env => KeyValuePair.Create(
                ((string)env["name"]!).Replace("__", ":"), env["valueFrom"] is not null ? "(from the cluster)" : (string?)env["value"])))
            .Build();

    private static void AssertSecret(JsonObject container, string variable)
    {
        var reference = Manifests.EnvVars(container).Single(env => (string?)env["name"] == variable)["valueFrom"]?["secretKeyRef"];
        Assert.True(reference is not null, $"{variable} is not taken from a Secret");
        Assert.Equal("join-token", (string?)reference["name"]);
    }

    private static void AssertMounted(JsonObject container, string path) =>
        Assert.Contains(container["volumeMounts"]!.AsArray(), mount => (string?)mount!["mountPath"] == path);

    /// <summary>gRPC ("grpc") over TLS, everything else cleartext.</summary>
    private static void AssertKestrelEndpoints(JsonObject container, params string[] endpoints)
    {
        foreach (var endpoint in endpoints)
            Assert.Equal($"{(endpoint == "grpc" ? "https" : "http")}://*:{Port(container, endpoint)}", Manifests.Env(container, $"Kestrel__Endpoints__{endpoint}__Url"));
    }

    /// <summary>The gRPC endpoint's certificate and the trusted CA are files of the mounted TLS Secret.</summary>
    private static void AssertTls(IConfiguration configuration, JsonObject container)
    {
        AssertMounted(container, GrpcTls.MountPath);
        foreach (var (key, file) in new[] { ("Kestrel:Endpoints:grpc:Certificate:Path", "tls.crt"), ("Kestrel:Endpoints:grpc:Certificate:KeyPath", "tls.key"), (GrpcTrust.CaFileKey, "ca.crt") })
            Assert.Equal($"{GrpcTls.MountPath}/{file}", configuration[key]);
    }

    private static int Port(JsonObject container, string name) => Manifests.Ports(container).Single(port => port.Name == name).Port;
}
