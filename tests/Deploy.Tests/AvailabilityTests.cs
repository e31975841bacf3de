using System.Text.Json.Nodes;
using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>What keeps the system up through node drains, slow starts and configuration edits, over a fresh publication.</summary>
public sealed class AvailabilityTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    /// <summary>A drain evicts peers a tenth at a time, and the Bootstrap only when its operator moves it on purpose.</summary>
    [Theory]
    [InlineData("StatefulSet", "peer", "maxUnavailable", "10%")]
    [InlineData("Deployment", "bootstrap", "minAvailable", "1")]
    public void A_disruption_budget_covers_the_workloads_pods(string kind, string workload, string field, string value)
    {
        var budget = fresh.Manifests.Single("PodDisruptionBudget", workload).Tree["spec"]!;
        Assert.Equal(value, (string?)budget[field]);
        Assert.True(Selects(budget["selector"]!["matchLabels"]!.AsObject(), PodLabels(fresh.Manifests.Single(kind, workload))),
            $"the {workload} budget's selector does not select the {workload} pods");
    }

    [Fact]
    public void Peer_pods_spread_over_nodes()
    {
        var peer = fresh.Manifests.Single("StatefulSet", "peer");
        var spread = Assert.Single(peer.PodSpec!["topologySpreadConstraints"]!.AsArray())!;
        Assert.Equal("kubernetes.io/hostname", (string?)spread["topologyKey"]);
        Assert.Equal("1", (string?)spread["maxSkew"]);
        // A node short of room still takes a peer rather than leaving it pending.
        Assert.Equal("ScheduleAnyway", (string?)spread["whenUnsatisfiable"]);
        Assert.True(Selects(spread["labelSelector"]!["matchLabels"]!.AsObject(), PodLabels(peer)));
    }

    /// <summary>Kubo may migrate its repo at start; Go sizes its heap from the host's memory unless told the container's limit.</summary>
    [Fact]
    public void The_kubo_sidecar_has_a_startup_probe_and_a_go_memory_limit_below_its_container_limit()
    {
        var kubo = fresh.Manifests.Single("StatefulSet", "peer").Containers.Single(container => (string?)container["name"] == "ipfs");
        Assert.NotNull(kubo["startupProbe"]);
        var limit = (long)new k8s.Models.ResourceQuantity((string)kubo["resources"]!["limits"]!["memory"]!).ToDecimal();
        var goLimit = Manifests.Env(kubo, "GOMEMLIMIT");
        Assert.Matches("^[0-9]+MiB$", goLimit);
        var goBytes = long.Parse(goLimit![..^3]) << 20;
        Assert.InRange(goBytes, limit * 8 / 10, limit * 95 / 100);
    }

    /// <summary>
    /// Editing a file a ConfigMap carries and applying again must roll the pods that mount it (a mounted ConfigMap is
    /// updated in place, but the services read it only at start), and only those.
    /// </summary>
    [Fact]
    public async Task An_edited_configuration_file_changes_the_pod_templates_that_mount_it_and_no_other()
    {
        using var edited = new TemporaryFolder();
        var config = Path.Combine(edited.Path, "prometheus-k3s.yml");
        File.WriteAllText(config, File.ReadAllText(Path.Combine(Repository.Root, "deploy", "prometheus", "prometheus-k3s.yml")) + "# edited\n");
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--K3s:PrometheusConfig", config);
        var republished = Manifests.Load(folder.Path);

        foreach (var workload in fresh.Manifests.Workloads)
        {
            var before = Template(workload)["metadata"]!["annotations"]?.ToJsonString();
            var after = Template(republished.Single(workload.Kind, workload.Name))["metadata"]!["annotations"]?.ToJsonString();
            var mountsConfigMap = workload.PodSpec!["volumes"]?.AsArray().Any(volume => volume!["configMap"] is not null) ?? false;
            if (mountsConfigMap)
                Assert.NotNull(before);
            if (workload.Name == "prometheus")
                Assert.NotEqual(before, after);
            else
                Assert.Equal(before, after);
        }
    }

    private static JsonObject Template(Document workload) => workload.Tree["spec"]!["template"]!.AsObject();

    private static JsonObject PodLabels(Document workload) => Template(workload)["metadata"]!["labels"]!.AsObject();

    private static bool Selects(JsonObject matchLabels, JsonObject labels) =>
        matchLabels.Count > 0 && matchLabels.All(pair => (string?)labels[pair.Key] == (string?)pair.Value);
}
