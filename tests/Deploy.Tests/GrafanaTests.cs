using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>Grafana in the cluster: behind a load balancer, so nobody reads or logs in without the operator's password.</summary>
public sealed class GrafanaTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    private System.Text.Json.Nodes.JsonObject Grafana => fresh.Manifests.Single("Deployment", "grafana").Containers.Single();

    [Fact]
    public void The_admin_password_comes_from_a_secret_and_nobody_reads_anonymously()
    {
        var password = Manifests.EnvVars(Grafana).Single(env => (string?)env["name"] == "GF_SECURITY_ADMIN_PASSWORD");
        Assert.Null(password["value"]);
        Assert.Equal("grafana-admin", (string?)password["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Equal("false", Manifests.Env(Grafana, "GF_AUTH_ANONYMOUS_ENABLED"));
        Assert.Null(Manifests.Env(Grafana, "GF_AUTH_ANONYMOUS_ORG_ROLE"));
        Assert.Contains("grafana-admin", File.ReadAllText(Path.Combine(fresh.Folder, "kustomization.yaml")));
    }

    /// <summary>Its NetworkPolicy lets Grafana reach Prometheus only: it must not try grafana.com in the background.</summary>
    [Fact]
    public void Nothing_is_fetched_from_grafana_com()
    {
        Assert.Equal("true", Manifests.Env(Grafana, "GF_PLUGINS_PREINSTALL_DISABLED"));
        foreach (var setting in new[] { "GF_ANALYTICS_CHECK_FOR_UPDATES", "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES", "GF_ANALYTICS_REPORTING_ENABLED" })
            Assert.Equal("false", Manifests.Env(Grafana, setting));
    }

    /// <summary>
    /// The datasource's minimum interval is the scrape interval of the Prometheus it reads (15 s in the cluster): a
    /// smaller one makes rate panels span less than a scrape, and they show gaps.
    /// </summary>
    [Fact]
    public void The_datasource_interval_is_the_in_cluster_scrape_interval()
    {
        var datasource = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml"));
        Assert.Contains("timeInterval: ${MLASPIRE_SCRAPE_INTERVAL}", datasource);
        var config = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "prometheus", "prometheus-k3s.yml"));
        var interval = Manifests.Env(Grafana, "MLASPIRE_SCRAPE_INTERVAL");
        Assert.Equal("15s", interval);
        Assert.Contains($"  scrape_interval: {interval}\n", config);
    }

}
