using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using MlAspire.AppHost.Publishing;
using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>
/// gRPC in the cluster is TLS end to end: every gRPC server presents a certificate from its own Secret, every gRPC
/// address a container is given is https and names a host that Secret's certificate covers (checked by openssl on
/// certificates the operators' script issues), and cert-manager's Certificates name the same Secrets and hosts.
/// </summary>
public sealed class TlsTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    private static readonly string Script = Path.Combine(Repository.Root, "deploy", "tls", "grpc-certs.sh");

    private Manifests Manifests => fresh.Manifests;

    [Fact]
    public void EveryGrpcServerPresentsItsOwnSecretsCertificateAndEveryServiceTrustsTheCaAlone()
    {
        var servers = 0;
        foreach (var workload in Manifests.Workloads.Where(IsOurs))
        {
            var container = workload.Containers.First();
            var volume = Volumes(workload).Single(v => (string?)v["name"] == MountedVolume(container));
            Assert.Equal(GrpcTls.SecretName(workload.Name), (string?)volume["secret"]!["secretName"]);
            Assert.Equal($"{GrpcTls.MountPath}/ca.crt", Manifests.Env(container, "Tls__CaFile"));
            var grpcPorts = Manifests.Ports(container).Where(port => port.Name == "grpc").ToList();
            if (grpcPorts.Count == 0)
            {
                // A client only: the CA, not a key it has no use for.
                Assert.Equal(["ca.crt"], volume["secret"]!["items"]!.AsArray().Select(item => (string?)item!["key"]));
                continue;
            }
            servers++;
            Assert.Null(volume["secret"]!["items"]);
            Assert.StartsWith("https://", Manifests.Env(container, "Kestrel__Endpoints__grpc__Url"));
            Assert.Equal($"{GrpcTls.MountPath}/tls.crt", Manifests.Env(container, "Kestrel__Endpoints__grpc__Certificate__Path"));
            Assert.Equal($"{GrpcTls.MountPath}/tls.key", Manifests.Env(container, "Kestrel__Endpoints__grpc__Certificate__KeyPath"));
            // The Service does not claim cleartext HTTP/2 for it.
            var service = Manifests.Single("Service", workload.Name).Tree["spec"]!["ports"]!.AsArray().Single(port => (string?)port!["name"] == "grpc")!;
            Assert.Null(service["appProtocol"]);
        }
        Assert.Equal(2, servers); // the Bootstrap and the peers
    }

    [Fact]
    public async Task EveryGrpcAddressIsHttpsToAHostItsServersCertificateCovers()
    {
        using var certificates = new TestCertificates();
        var names = await NamesAsync();
        var issued = new Dictionary<string, string>();
        foreach (var (secret, hosts) in names)
            issued[secret] = Path.Combine(certificates.Issue(secret, hosts), "tls.crt");

        var grpcPorts = Manifests.Workloads.Where(IsOurs)
            .SelectMany(workload => Manifests.Ports(workload.Containers.First()).Where(port => port.Name == "grpc").Select(port => (workload.Name, port.Port)))
            .ToList();
        var checkedAddresses = 0;
        foreach (var workload in Manifests.Workloads)
            foreach (var container in workload.Containers)
                foreach (var env in Manifests.EnvVars(container))
                {
                    if ((string?)env["value"] is not { } value || !Uri.TryCreate(value.Replace("$(POD_NAME)", "peer-0"), UriKind.Absolute, out var uri) || uri.Host is "*" or "127.0.0.1")
                        continue;
                    var target = grpcPorts.Where(server => server.Port == uri.Port && (uri.Host == server.Name || uri.Host.Split('.').ElementAtOrDefault(1) == server.Name)).ToList();
                    if (target.Count == 0)
                        continue;
                    checkedAddresses++;
                    var where = $"{workload}: {container["name"]} {env["name"]}={value}";
                    Assert.True(uri.Scheme == "https", $"{where}: a gRPC address in cleartext");
                    var certificate = issued[GrpcTls.SecretName(target.Single().Name)];
                    Assert.True(await OpensslMatchesAsync(certificate, uri.Host), $"{where}: {uri.Host} is not a name of {GrpcTls.SecretName(target.Single().Name)}'s certificate ({string.Join(' ', names[GrpcTls.SecretName(target.Single().Name)])})");
                }
        // The peers' own and advertised addresses, the Bootstrap's for peers and the visualization, the peers' for the visualization.
        Assert.True(checkedAddresses >= 8, $"only {checkedAddresses} gRPC addresses checked");
    }

    [Fact]
    public async Task CertManagerIssuesTheSecretsThePodsMountFromItsOwnCa()
    {
        var documents = Manifests.Split(File.ReadAllText(Path.Combine(fresh.Folder, "tls", "cert-manager.yaml"))).Select(Manifests.Parse).ToList();
        var certificates = documents.Where(document => (string?)document["kind"] == "Certificate").ToList();
        Assert.All(documents, document => Assert.Equal("cert-manager.io/v1", (string?)document["apiVersion"]));
        Assert.All(documents, document => Assert.Equal("mlaspire", (string?)document["metadata"]!["namespace"]));

        var ca = certificates.Single(certificate => (string?)certificate["spec"]!["isCA"] == "true");
        Assert.Equal(GrpcTls.CaSecret, (string?)ca["spec"]!["secretName"]);
        var caIssuer = documents.Single(document => (string?)document["kind"] == "Issuer" && document["spec"]!["ca"] is not null);
        Assert.Equal(GrpcTls.CaSecret, (string?)caIssuer["spec"]!["ca"]!["secretName"]);

        var issued = certificates.Where(certificate => certificate != ca).ToList();
        Assert.All(issued, certificate => Assert.Equal((string?)caIssuer["metadata"]!["name"], (string?)certificate["spec"]!["issuerRef"]!["name"]));
        var mounted = Manifests.Workloads.SelectMany(Volumes).Select(volume => (string?)volume["secret"]?["secretName"]).Where(name => name?.StartsWith("grpc-tls-") == true).Order();
        Assert.Equal(mounted, issued.Select(certificate => (string?)certificate["spec"]!["secretName"]).Order());
        // The script issues what cert-manager would: the same Secrets for the same names.
        Assert.Equal(
            issued.ToDictionary(certificate => (string)certificate["spec"]!["secretName"]!, certificate => certificate["spec"]!["dnsNames"]!.AsArray().Select(name => (string)name!).ToArray()),
            await NamesAsync());
        // No pod mounts the CA's Secret, which holds the key that signs every certificate.
        Assert.DoesNotContain(GrpcTls.CaSecret, mounted);
    }

    /// <summary>Half a CA (its key moved offline) is refused, never replaced: a new CA would break every running service.</summary>
    [Fact]
    public async Task The_script_never_replaces_a_CA_it_holds_only_half_of()
    {
        using var certificates = new TestCertificates();
        var before = File.ReadAllText(certificates.CaFile);
        File.Move(Path.Combine(certificates.Directory, "ca.key"), Path.Combine(certificates.Directory, "ca.key.offline"));

        var result = await Tool.RunAsync("bash", [Script, "ca", certificates.Directory], TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("only one of ca.crt and ca.key", result.Output);
        Assert.Equal(before, File.ReadAllText(certificates.CaFile));
        Assert.False(File.Exists(Path.Combine(certificates.Directory, "ca.key")));
    }

    /// <summary>An outside network as wide as the cluster's own would let every pod of every namespace in; it is refused.</summary>
    [Theory]
    [InlineData("10.0.0.0/8")] // holds the pod network
    [InlineData("10.43.7.0/24")] // inside the Service network
    [InlineData("0.0.0.0/0")]
    [InlineData("10.99.0.0")] // not a CIDR
    public void Outside_peer_networks_that_overlap_the_cluster_or_are_not_networks_are_refused(string network)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("K3s:OutsidePeers", network)]).Build();
        var error = Assert.Throws<InvalidOperationException>(() => K3sSettings.From(configuration, Path.Combine(Repository.Root, "AppHost")));
        Assert.Contains("K3s:OutsidePeers", error.Message);
    }

    [Fact]
    public async Task Outside_peers_reach_the_Bootstrap_at_its_pods_addresses_under_a_name_its_certificate_covers()
    {
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--ipfs", "embedded", "--K3s:OutsidePeers", "10.99.0.0/24");
        var manifests = Manifests.Load(folder.Path);
        var service = manifests.Single("Service", WorkloadManifests.PodAddressService("bootstrap")).Tree["spec"]!;
        Assert.Equal("None", (string?)service["clusterIP"]); // DNS gives the pod's address: no kube-proxy, no masquerading
        Assert.Equal(["grpc"], service["ports"]!.AsArray().Select(port => (string?)port!["name"]));
        Assert.Equal(
            manifests.Single("Deployment", "bootstrap").Tree["spec"]!["selector"]!["matchLabels"]!.ToJsonString(),
            service["selector"]!.ToJsonString());
        Assert.Contains("bootstrap-pods.mlaspire.svc.cluster.local", (await NamesAsync())[GrpcTls.SecretName("bootstrap")]);
        // Without outside peers there is no such Service.
        Assert.DoesNotContain(Manifests.Documents, document => document.Name == WorkloadManifests.PodAddressService("bootstrap"));
    }

    /// <summary>
    /// Peers beside Kubo nodes fetch weights through the nodes' swarm, which an outside peer is not in: publishing for
    /// outside peers without the embedded store fails, with a non-zero exit code a script sees.
    /// </summary>
    [Fact]
    public async Task Outside_peers_beside_Kubo_peers_are_refused_and_the_publish_fails()
    {
        using var folder = new TemporaryFolder();
        var appHost = Path.Combine(Repository.Root, "AppHost", "bin", Repository.Configuration, "net10.0", "AppHost.dll");
        var result = await Tool.RunAsync("dotnet",
            [appHost, "--operation", "publish", "--step", "publish-k3s", "--output-path", folder.Path, "--K3s:OutsidePeers", "10.99.0.0/24"],
            TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("needs the peers on the embedded store", result.Output);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.yaml"));
    }

    private static bool IsOurs(Document workload) => ((string)workload.Containers.First()["image"]!).Contains("/mlaspire/");

    private static IEnumerable<JsonObject> Volumes(Document workload) =>
        workload.PodSpec!["volumes"]?.AsArray().Select(volume => volume!.AsObject()) ?? [];

    private static string MountedVolume(JsonObject container) =>
        (string)container["volumeMounts"]!.AsArray().Single(mount => (string?)mount!["mountPath"] == GrpcTls.MountPath)!["name"]!;

    /// <summary>What the script's "names" command reads from cert-manager.yaml: Secret → DNS names.</summary>
    private async Task<Dictionary<string, string[]>> NamesAsync() =>
        (await RunAsync("bash", Script, "names", fresh.Folder)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')).ToDictionary(words => words[0], words => words[1..]);

    private static async Task<bool> OpensslMatchesAsync(string certificate, string host) =>
        (await RunAsync("openssl", "x509", "-in", certificate, "-noout", "-checkhost", host)).Contains(" does match ", StringComparison.Ordinal);

    /// <summary>The command's output; it must succeed.</summary>
    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = await Tool.RunAsync(program, arguments, TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {result.Output}");
        return result.Output;
    }
}
