using System.Text.Json.Nodes;
using k8s;
using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>The manifests are valid Kubernetes objects, checked offline: no cluster is needed (none exists here).</summary>
public sealed class ValidationTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    private static readonly string Validator = Path.Combine(Repository.Root, "tools", "k8s", "validate.mjs");

    [Fact]
    public async Task EveryDocumentPassesTheApiSchemas()
    {
        var files = Directory.GetFiles(fresh.Folder, "*.yaml").Order(StringComparer.Ordinal).ToList();
        var result = await ValidateAsync(files);
        Assert.True(result.ExitCode == 0, result.Output);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(fresh.Manifests.Documents.Count, lines.Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PeersOnAPeerDataClaimPassTheApiSchemas()
    {
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--K3s:PeerDataClaim", "peer-datasets");
        var result = await ValidateAsync([Path.Combine(folder.Path, "peer.yaml")]);
        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Fact]
    public async Task TheSchemaCheckRejectsAWrongType()
    {
        using var folder = new TemporaryFolder();
        var broken = Path.Combine(folder.Path, "peer.yaml");
        File.WriteAllText(broken, File.ReadAllText(Path.Combine(fresh.Folder, "peer.yaml")).Replace("replicas: 4", "replicas: four"));
        var result = await ValidateAsync([broken]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("spec/replicas must be integer", result.Output);
    }

    /// <summary>
    /// kubernetes-models' schemas accept unknown fields (a typo such as "replica:" would pass and be ignored by the API
    /// server), so each document also goes through KubernetesClient's typed models: every field must survive the round trip.
    /// </summary>
    [Fact]
    public void EveryFieldIsAKnownFieldOfItsType()
    {
        foreach (var document in fresh.Manifests.Documents)
            Assert.True(UnknownFields(document.Text).Count == 0, $"{document}: unknown fields {string.Join(", ", UnknownFields(document.Text))}");
    }

    [Fact]
    public void TheUnknownFieldCheckCatchesATypo()
    {
        var document = fresh.Manifests.Single("StatefulSet", "peer");
        var typo = document.Text.Replace("  podManagementPolicy: Parallel", "  podManagementPolicy: Parallel\n  replica: 3");
        Assert.Equal(["spec.replica"], UnknownFields(typo));
    }

    [Fact]
    public async Task KustomizeBuildsTheFolderWithTheSecretsTheUserCreates()
    {
        using var folder = new TemporaryFolder();
        foreach (var file in Directory.GetFiles(fresh.Folder))
            File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        var secrets = new Dictionary<string, string> { ["join-token"] = "a-test-token", ["swarm-key"] = new string('a', 64), ["grafana-admin"] = "a-test-password" };

        // Without the user's secret files there is nothing to deploy: no secret is ever a literal in the repository.
        foreach (var missingSecret in secrets.Keys)
        {
            foreach (var (name, value) in secrets.Where(secret => secret.Key != missingSecret))
                File.WriteAllText(Path.Combine(folder.Path, $"{name}.secret"), value);
            File.Delete(Path.Combine(folder.Path, $"{missingSecret}.secret"));
            var missing = await KustomizeAsync(folder.Path);
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains($"{missingSecret}.secret", missing.Output);
        }

        foreach (var (name, value) in secrets)
            File.WriteAllText(Path.Combine(folder.Path, $"{name}.secret"), value);
        var built = await KustomizeAsync(folder.Path);
        Assert.True(built.ExitCode == 0, built.Output);
        var documents = Manifests.Split(built.Output).Select(Manifests.Parse).ToList();
        var generated = documents.Where(document => (string?)document["kind"] == "Secret").ToList();
        Assert.Equal(secrets.Keys.Order(), generated.Select(secret => ((string)secret["metadata"]!["name"]!)[..^11]).Order()); // name-<10 hash chars>
        foreach (var secret in generated)
        {
            var name = (string)secret["metadata"]!["name"]!;
            // Long values come back folded over several lines.
            Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secrets[name[..^11]])), ((string)secret["data"]!["value"]!).Replace("\n", ""));
        }
        // Every reference to a secret now names a generated one (with its content hash).
        var references = documents.SelectMany(document => Descendants(document)).OfType<JsonObject>()
            .Where(node => node["secretKeyRef"] is not null).Select(node => (string)node["secretKeyRef"]!["name"]!).ToList();
        Assert.Equal(secrets.Keys.Order(), references.Distinct().Select(name => name[..^11]).Order());
        Assert.All(references, name => Assert.Contains(name, generated.Select(secret => (string)secret["metadata"]!["name"]!)));
        Assert.Contains("*.secret", File.ReadAllText(Path.Combine(Publication.CheckedIn, ".gitignore")));
    }

    [Fact]
    public void EveryImageHasAnExplicitTag()
    {
        var images = fresh.Manifests.Workloads.SelectMany(workload => workload.PodSpec!["containers"]!.AsArray()
            .Concat(workload.PodSpec["initContainers"]?.AsArray() ?? []).Select(container => (string)container!["image"]!)).ToList();
        Assert.NotEmpty(images);
        Assert.All(images, image =>
        {
            var tag = image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
            Assert.False(string.IsNullOrEmpty(tag) || tag == "latest", $"{image} has no explicit tag");
        });
    }

    [Fact]
    public void EveryContainerHasCpuAndMemoryRequestsAndLimitsAndTheRecommendedLabels()
    {
        foreach (var workload in fresh.Manifests.Workloads)
        {
            foreach (var container in workload.Containers)
                foreach (var bound in new[] { "requests", "limits" })
                    foreach (var resource in new[] { "cpu", "memory", "ephemeral-storage" })
                        Assert.True(container["resources"]?[bound]?[resource] is not null, $"{workload}: {container["name"]} has no {resource} {bound}");
            var labels = workload.Tree["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
            foreach (var label in new[] { "name", "instance", "part-of", "component", "version", "managed-by" })
                Assert.True(labels.ContainsKey($"app.kubernetes.io/{label}"), $"{workload} lacks app.kubernetes.io/{label}");
        }
    }

    [Fact]
    public void PeerPodsShareTheirClaimWithTheirKuboSidecar()
    {
        var peer = fresh.Manifests.Single("StatefulSet", "peer");
        var template = Assert.Single(peer.Tree["spec"]!["volumeClaimTemplates"]!.AsArray())!;
        Assert.Equal("data", (string?)template["metadata"]!["name"]);
        Assert.Equal("3Gi", (string?)template["spec"]!["resources"]!["requests"]!["storage"]); // Kubo's 2 GB StorageMax, a quarter more, the peer's files
        var containers = peer.Containers.ToList();
        Assert.Equal(["peer", "ipfs"], containers.Select(container => (string)container["name"]!));
        Assert.All(containers, container => Assert.Contains(container["volumeMounts"]!.AsArray(), mount => (string?)mount!["name"] == "data"));
        var kubo = containers[1];
        Assert.Matches(@"^ipfs/kubo:v\d+\.\d+\.\d+$", (string)kubo["image"]!);
        Assert.Equal("40", Manifests.Env(kubo, "IPFS_CONNMGR_LOW"));
        Assert.Equal("70", Manifests.Env(kubo, "IPFS_CONNMGR_HIGH"));
        Assert.Contains("--enable-gc", kubo["args"]!.AsArray().Select(arg => (string)arg!));
        var init = fresh.Manifests.Single("ConfigMap", "peer-ipfs-files").Tree["data"]!["001-mlaspire.sh"]!.GetValue<string>();
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "AppHost", "ipfs", "container-init.d", "001-mlaspire.sh")).Replace("\r\n", "\n"), init);
        Assert.Equal("None", (string?)fresh.Manifests.Single("Service", "peer").Tree["spec"]!["clusterIP"]);
    }

    /// <summary>
    /// The Kubo sidecar is on the private network (the swarm key from the Secret the user creates; Kubo refuses to start
    /// without it) and its RPC API stays inside the pod: the init script's loopback default applies, and the kubelet
    /// probes the swarm port, since it cannot reach a loopback-only port.
    /// </summary>
    [Fact]
    public void TheKuboSidecarIsPrivateAndItsApiStaysInsideThePod()
    {
        var kubo = fresh.Manifests.Single("StatefulSet", "peer").Containers.Single(container => (string?)container["name"] == "ipfs");
        var key = Manifests.EnvVars(kubo).Single(env => (string?)env["name"] == "IPFS_SWARM_KEY_HEX")["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal("swarm-key", (string?)key["name"]);
        Assert.Equal("1", Manifests.Env(kubo, "LIBP2P_FORCE_PNET"));
        Assert.Equal("off", Manifests.Env(kubo, "IPFS_TELEMETRY"));
        Assert.Null(Manifests.Env(kubo, "IPFS_API_ADDRESS"));
        foreach (var probe in new[] { "livenessProbe", "readinessProbe" })
            Assert.Equal("swarm", (string?)kubo[probe]!["tcpSocket"]!["port"]);
        Assert.Contains("secretGenerator", File.ReadAllText(Path.Combine(fresh.Folder, "kustomization.yaml")));
        Assert.Contains("value=swarm-key.secret", File.ReadAllText(Path.Combine(fresh.Folder, "kustomization.yaml")));
    }

    private static async Task<Tool.Result> ValidateAsync(IEnumerable<string> files)
    {
        Assert.True(Directory.Exists(Path.Combine(Path.GetDirectoryName(Validator)!, "node_modules", "kubernetes-models")),
            "kubernetes-models is not installed: run `bash tools/k8s/setup.sh` (tests/run.sh does)");
        return await Tool.RunAsync("node", [Validator, .. files], TimeSpan.FromMinutes(1));
    }

    private static async Task<Tool.Result> KustomizeAsync(string folder) =>
        await Tool.RunAsync("kubectl", ["kustomize", folder], TimeSpan.FromMinutes(1));

    /// <summary>Paths of fields in <paramref name="yaml"/> that KubernetesClient's model of its kind does not keep.</summary>
    private static List<string> UnknownFields(string yaml)
    {
        var typed = Assert.Single(KubernetesYaml.LoadAllFromString(yaml));
        var roundTripped = Manifests.Parse(KubernetesYaml.Serialize(typed));
        return [.. Paths(Manifests.Parse(yaml), "").Except(Paths(roundTripped, ""))];
    }

    private static IEnumerable<string> Paths(JsonNode? node, string prefix) => node switch
    {
        JsonObject map => map.SelectMany(pair => Paths(pair.Value, prefix.Length == 0 ? pair.Key : $"{prefix}.{pair.Key}").Prepend(prefix.Length == 0 ? pair.Key : $"{prefix}.{pair.Key}")),
        JsonArray list => list.SelectMany((item, index) => Paths(item, $"{prefix}[{index}]")),
        _ => [],
    };

    private static IEnumerable<JsonNode> Descendants(JsonNode? node) => node switch
    {
        JsonObject map => map.Select(pair => pair.Value).SelectMany(Descendants).Prepend(map),
        JsonArray list => list.SelectMany(Descendants).Prepend(list),
        null => [],
        _ => [node],
    };
}
