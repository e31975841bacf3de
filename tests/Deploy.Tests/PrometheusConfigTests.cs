using MlAspire.Integration.Tests;
using YamlDotNet.RepresentationModel;

namespace MlAspire.Deploy.Tests;

/// <summary>The in-cluster Prometheus configuration: valid for promtool, and its jobs find what the manifests run.</summary>
public sealed class PrometheusConfigTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    private static readonly string[] SdRoles = ["node", "pod", "service", "endpoints", "endpointslice", "ingress"];

    /// <summary>The file Prometheus is told to read (--config.file), from the ConfigMap mounted at that folder.</summary>
    private string ConfigMapConfig
    {
        get
        {
            var container = fresh.Manifests.Single("Deployment", "prometheus").Containers.Single();
            var configFile = container["args"]!.AsArray().Select(arg => (string)arg!).Single(arg => arg.StartsWith("--config.file=", StringComparison.Ordinal))["--config.file=".Length..];
            var mount = container["volumeMounts"]!.AsArray().Single(mount => (string?)mount!["mountPath"] == Path.GetDirectoryName(configFile))!;
            var volume = fresh.Manifests.Single("Deployment", "prometheus").PodSpec!["volumes"]!.AsArray().Single(volume => (string?)volume!["name"] == (string?)mount["name"])!;
            var configMap = fresh.Manifests.Single("ConfigMap", (string)volume["configMap"]!["name"]!);
            return configMap.Tree["data"]![Path.GetFileName(configFile)]!.GetValue<string>();
        }
    }

    [Fact]
    public void TheConfigMapCarriesDeployPrometheusK3sYml() =>
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "prometheus", "prometheus-k3s.yml")).Replace("\r\n", "\n"), ConfigMapConfig);

    /// <summary>
    /// Debian's promtool (2.42) is built without Kubernetes discovery: it rejects any kubernetes_sd_configs block as an
    /// unknown field. So each block is checked here against the fields Prometheus documents for it, then replaced by a
    /// static target, and promtool checks all the rest (relabelling, TLS, authorization, every other field). Syntax
    /// only: the service account's token and CA exist only inside the pod.
    /// </summary>
    [Fact]
    public async Task PromtoolAcceptsTheConfigInsideTheConfigMap()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(ConfigMapConfig));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var replaced = 0;
        foreach (var job in ((YamlSequenceNode)root["scrape_configs"]).OfType<YamlMappingNode>())
        {
            if (!job.Children.TryGetValue("kubernetes_sd_configs", out var sd))
                continue;
            foreach (var config in ((YamlSequenceNode)sd).OfType<YamlMappingNode>())
            {
                Assert.Contains(((YamlScalarNode)config["role"]).Value, SdRoles);
                Assert.All(config.Children.Keys.Select(key => ((YamlScalarNode)key).Value), key => Assert.Contains(key, new[] { "role", "namespaces", "selectors", "attach_metadata" }));
                if (config.Children.TryGetValue("namespaces", out var namespaces))
                    Assert.All(((YamlMappingNode)namespaces).Children.Keys.Select(key => ((YamlScalarNode)key).Value), key => Assert.Contains(key, new[] { "own_namespace", "names" }));
            }
            job.Children.Remove("kubernetes_sd_configs");
            job.Children.Add("static_configs", new YamlSequenceNode(new YamlMappingNode("targets", new YamlSequenceNode(new YamlScalarNode("placeholder:80")))));
            replaced++;
        }
        Assert.Equal(5, replaced);

        using var folder = new TemporaryFolder();
        var file = Path.Combine(folder.Path, "prometheus.yml");
        using (var writer = new StreamWriter(file))
            yaml.Save(writer, assignAnchors: false);
        var result = await Tool.RunAsync("promtool", ["check", "config", "--syntax-only", file], TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Output);

        // And the check can fail: promtool rejects a broken relabel regex.
        File.WriteAllText(file, File.ReadAllText(file).Replace("regex: peer;http", "regex: peer;(http"));
        Assert.NotEqual(0, (await Tool.RunAsync("promtool", ["check", "config", "--syntax-only", file], TimeSpan.FromMinutes(1))).ExitCode);
    }

    /// <summary>Each pod job keeps pods by app.kubernetes.io/name and container port name: both must exist in the manifests.</summary>
    [Theory]
    [InlineData("peer", "peer", "http")]
    [InlineData("ipfs", "peer", "http")]
    [InlineData("bootstrap", "bootstrap", "http")]
    [InlineData("visualization", "visualization", "http")]
    public void EachPodJobMatchesAContainerPortOfALabelledWorkload(string job, string name, string port)
    {
        Assert.Contains($"job_name: {job}\n", ConfigMapConfig);
        Assert.Contains($"regex: {name};{port}\n", ConfigMapConfig);
        var workload = Assert.Single(fresh.Manifests.Workloads, workload =>
            (string?)workload.Tree["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"] == name);
        Assert.Contains(workload.Containers.SelectMany(Manifests.Ports), candidate => candidate.Name == port);
    }

    /// <summary>Kubo's RPC API listens on the pod's loopback only: its metrics are scraped through the peer, at the path the peer serves them on.</summary>
    [Fact]
    public void TheIpfsJobScrapesThePeersForwardedKuboMetrics()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(ConfigMapConfig));
        var jobs = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["scrape_configs"]).OfType<YamlMappingNode>();
        var ipfs = jobs.Single(job => ((YamlScalarNode)job["job_name"]).Value == "ipfs");
        Assert.Equal(MlAspire.Peer.Telemetry.IpfsMetricsEndpoint.Path, ((YamlScalarNode)ipfs["metrics_path"]).Value);
        Assert.DoesNotContain(":5001", ConfigMapConfig);
    }

    /// <summary>
    /// Everything any role grants, as (scope, API group, resource, verb), is exactly what Prometheus uses: the pods of its
    /// own namespace, and the nodes with their kubelets' metrics (nodes/metrics, not nodes/proxy, which reaches every
    /// kubelet endpoint, exec included). Both roles are bound to its ServiceAccount alone, which its pod runs as.
    /// </summary>
    [Fact]
    public void PrometheusRolesGrantNothingBeyondWhatItsJobsUse()
    {
        var granted = fresh.Manifests.Documents.Where(document => document.Kind is "Role" or "ClusterRole")
            .SelectMany(role => role.Tree["rules"]!.AsArray().SelectMany(rule =>
                from apiGroup in rule!["apiGroups"]!.AsArray()
                from resource in rule["resources"]!.AsArray()
                from verb in rule["verbs"]!.AsArray()
                select $"{(role.Kind == "Role" ? "namespace" : "cluster")} {(string?)apiGroup}/{(string?)resource} {(string?)verb}"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["cluster /nodes get", "cluster /nodes list", "cluster /nodes watch", "cluster /nodes/metrics get",
             "namespace /pods get", "namespace /pods list", "namespace /pods watch"],
            granted);
        Assert.Contains("role: node", ConfigMapConfig);
        Assert.DoesNotContain("/proxy/", ConfigMapConfig);
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(ConfigMapConfig, "own_namespace: true").Count); // every pod job

        foreach (var binding in fresh.Manifests.Documents.Where(document => document.Kind is "RoleBinding" or "ClusterRoleBinding"))
        {
            var roleRef = binding.Tree["roleRef"]!;
            Assert.Equal(binding.Kind == "RoleBinding" ? "Role" : "ClusterRole", (string?)roleRef["kind"]);
            fresh.Manifests.Single((string)roleRef["kind"]!, (string)roleRef["name"]!);
            var subject = Assert.Single(binding.Tree["subjects"]!.AsArray())!;
            Assert.Equal("ServiceAccount", (string?)subject["kind"]);
            Assert.Equal("prometheus", (string?)subject["name"]);
        }
        Assert.Equal("prometheus", (string?)fresh.Manifests.Single("Deployment", "prometheus").PodSpec!["serviceAccountName"]);
    }

    [Fact]
    public void GrafanaGetsEveryProvisioningFileOfDeployGrafana()
    {
        var grafana = Path.Combine(Repository.Root, "deploy", "grafana");
        var expected = new[] { ("grafana-datasources", "provisioning/datasources"), ("grafana-dashboard-providers", "provisioning/dashboards"), ("grafana-dashboards", "dashboards") };
        var found = 0;
        foreach (var (configMap, folder) in expected)
        {
            var files = Directory.Exists(Path.Combine(grafana, folder))
                ? Directory.GetFiles(Path.Combine(grafana, folder)).Where(file => file.EndsWith(".yml") || file.EndsWith(".yaml") || file.EndsWith(".json")).ToList()
                : [];
            if (files.Count == 0)
                continue;
            found++;
            var data = fresh.Manifests.Single("ConfigMap", configMap).Tree["data"]!.AsObject();
            Assert.Equal(files.Select(Path.GetFileName).Order(), data.Select(pair => pair.Key).Order());
            foreach (var file in files)
                Assert.Equal(File.ReadAllText(file).Replace("\r\n", "\n"), data[Path.GetFileName(file)]!.GetValue<string>());
            var mounts = fresh.Manifests.Single("Deployment", "grafana").Containers.Single()["volumeMounts"]!.AsArray();
            Assert.Contains(mounts, mount => (string?)mount!["name"] == configMap);
        }
        Assert.True(found > 0, "deploy/grafana has no provisioning files");
    }
}
