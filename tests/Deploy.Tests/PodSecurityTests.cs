using System.Text.Json.Nodes;

namespace MlAspire.Deploy.Tests;

/// <summary>
/// Every pod of a fresh publication meets each rule of Kubernetes' Pod Security Standard "restricted" (which includes
/// "baseline"), as the admission controller checks them, and the namespace enforces that standard; only Prometheus,
/// which reads the API, mounts a ServiceAccount token.
/// </summary>
public sealed class PodSecurityTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    private static readonly string[] AllowedVolumeTypes =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    [Fact]
    public void The_namespace_enforces_the_restricted_standard()
    {
        var labels = fresh.Manifests.Documents.Single(document => document.Kind == "Namespace").Tree["metadata"]!["labels"]!;
        Assert.Equal("restricted", (string?)labels["pod-security.kubernetes.io/enforce"]);
        Assert.False(string.IsNullOrEmpty((string?)labels["pod-security.kubernetes.io/enforce-version"]));
    }

    [Fact]
    public void Every_pod_meets_each_rule_of_the_restricted_standard()
    {
        var violations = new List<string>();
        foreach (var workload in fresh.Manifests.Workloads)
            violations.AddRange(Violations(workload.Tree["spec"]!["template"]!.AsObject()).Select(violation => $"{workload}: {violation}"));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void Only_prometheus_mounts_a_service_account_token()
    {
        foreach (var workload in fresh.Manifests.Workloads)
        {
            var automount = Flag(workload.PodSpec!["automountServiceAccountToken"]);
            if (workload.Name == "prometheus")
                Assert.True(automount is null or true, $"{workload} reads the API with its token");
            else
                Assert.True(automount == false, $"{workload} mounts a ServiceAccount token it has no use for");
        }
    }

    /// <summary>The rules of https://kubernetes.io/docs/concepts/security/pod-security-standards/, baseline and restricted.</summary>
    private static IEnumerable<string> Violations(JsonObject template)
    {
        var pod = template["spec"]!.AsObject();
        foreach (var (key, value) in template["metadata"]?["annotations"]?.AsObject() ?? [])
            if (key.StartsWith("container.apparmor.security.beta.kubernetes.io/", StringComparison.Ordinal) && (string?)value == "unconfined")
                yield return $"annotation {key} runs a container without AppArmor";
        foreach (var host in new[] { "hostNetwork", "hostPID", "hostIPC" })
            if (Flag(pod[host]) is true)
                yield return $"{host} is true";
        var podContext = pod["securityContext"]?.AsObject() ?? [];
        if (pod["volumes"] is JsonArray volumes)
            foreach (var volume in volumes.Select(node => node!.AsObject()))
            {
                var type = volume.Select(property => property.Key).Single(key => key != "name");
                if (!AllowedVolumeTypes.Contains(type))
                    yield return $"volume '{volume["name"]}' is of type {type}";
            }
        if (podContext["sysctls"] is JsonArray { Count: > 0 })
            yield return "sets sysctls";
        if ((string?)podContext["runAsUser"] == "0")
            yield return "the pod runs as user 0";
        if (Flag(podContext["windowsOptions"]?["hostProcess"]) is true)
            yield return "the pod is a Windows host process";

        var containers = new[] { "initContainers", "containers", "ephemeralContainers" }
            .SelectMany(list => pod[list]?.AsArray().Select(node => node!.AsObject()) ?? []).ToList();
        foreach (var container in containers)
        {
            var name = (string?)container["name"];
            var context = container["securityContext"]?.AsObject() ?? [];
            if (Flag(context["privileged"]) is true)
                yield return $"{name} is privileged";
            if (Flag(context["allowPrivilegeEscalation"]) is not false)
                yield return $"{name} does not set allowPrivilegeEscalation: false";
            var drop = context["capabilities"]?["drop"]?.AsArray().Select(value => (string?)value) ?? [];
            if (!drop.Contains("ALL"))
                yield return $"{name} does not drop ALL capabilities";
            var add = context["capabilities"]?["add"]?.AsArray().Select(value => (string?)value) ?? [];
            foreach (var capability in add.Where(capability => capability != "NET_BIND_SERVICE"))
                yield return $"{name} adds capability {capability}";
            if (!(Flag(context["runAsNonRoot"]) ?? Flag(podContext["runAsNonRoot"]) ?? false))
                yield return $"{name} may run as root (runAsNonRoot is not true on it or its pod)";
            if (((string?)context["runAsUser"] ?? (string?)podContext["runAsUser"]) == "0")
                yield return $"{name} runs as user 0";
            var seccomp = (string?)context["seccompProfile"]?["type"] ?? (string?)podContext["seccompProfile"]?["type"];
            if (seccomp is not ("RuntimeDefault" or "Localhost"))
                yield return $"{name} has seccomp profile '{seccomp ?? "unset"}', not RuntimeDefault or Localhost";
            if (Flag(context["windowsOptions"]?["hostProcess"]) is true)
                yield return $"{name} is a Windows host process";
            if ((string?)context["procMount"] is { } procMount && procMount != "Default")
                yield return $"{name} has procMount {procMount}";
            if (context["seLinuxOptions"] is not null || podContext["seLinuxOptions"] is not null)
                yield return $"{name} sets SELinux options";
            if ((string?)context["appArmorProfile"]?["type"] == "Unconfined" || (string?)podContext["appArmorProfile"]?["type"] == "Unconfined")
                yield return $"{name} runs without AppArmor";
            foreach (var port in container["ports"]?.AsArray().Select(node => node!.AsObject()) ?? [])
                if (port["hostPort"] is not null && (string?)port["hostPort"] != "0")
                    yield return $"{name} binds host port {port["hostPort"]}";
        }
    }

    /// <summary>A YAML boolean as the tree holds it (a string), or null when absent.</summary>
    private static bool? Flag(JsonNode? node) => node is null ? null : bool.Parse((string)node!);
}
