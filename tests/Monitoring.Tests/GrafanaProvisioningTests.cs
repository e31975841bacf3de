using System.Text.Json;
using MlAspire.Integration.Tests;
using YamlDotNet.RepresentationModel;

namespace MlAspire.Monitoring.Tests;

/// <summary>Grafana needs no clicking: the datasource and dashboard providers parse and have what Grafana requires.</summary>
public sealed class GrafanaProvisioningTests
{
    public const string DatasourceUid = "mlaspire-prometheus";

    [Fact]
    public void The_datasource_is_a_prometheus_named_by_a_fixed_uid()
    {
        var file = GrafanaFiles.ReadYaml(Path.Combine("provisioning", "datasources", "prometheus.yml"));
        Assert.Equal("1", GrafanaFiles.Scalar(file, "apiVersion"));
        var datasource = Assert.IsType<YamlMappingNode>(Assert.Single(GrafanaFiles.Sequence(file, "datasources")));
        Assert.Equal("prometheus", GrafanaFiles.Scalar(datasource, "type"));
        Assert.Equal(DatasourceUid, GrafanaFiles.Scalar(datasource, "uid"));
        Assert.Equal("proxy", GrafanaFiles.Scalar(datasource, "access"));
        Assert.NotEmpty(GrafanaFiles.Scalar(datasource, "name"));
        var url = new Uri(GrafanaFiles.Scalar(datasource, "url"));
        Assert.Equal(("http", "prometheus", 9090), (url.Scheme, url.Host, url.Port));
    }

    [Fact]
    public void The_dashboard_provider_loads_files_from_the_mounted_folder()
    {
        var file = GrafanaFiles.ReadYaml(Path.Combine("provisioning", "dashboards", "mlaspire.yml"));
        Assert.Equal("1", GrafanaFiles.Scalar(file, "apiVersion"));
        var provider = Assert.IsType<YamlMappingNode>(Assert.Single(GrafanaFiles.Sequence(file, "providers")));
        Assert.Equal("file", GrafanaFiles.Scalar(provider, "type"));
        Assert.NotEmpty(GrafanaFiles.Scalar(provider, "name"));
        var options = Assert.IsType<YamlMappingNode>(provider.Children[new YamlScalarNode("options")]);
        Assert.StartsWith("/", GrafanaFiles.Scalar(options, "path"));
    }

    [Fact]
    public void Every_dashboard_is_valid_and_every_panel_queries_the_provisioned_datasource()
    {
        var uids = new HashSet<string>();
        Assert.Equal(3, GrafanaFiles.DashboardFiles.Count());
        foreach (var file in GrafanaFiles.DashboardFiles)
        {
            using var dashboard = GrafanaFiles.ReadDashboard(file);
            var root = dashboard.RootElement;
            Assert.True(uids.Add(root.GetProperty("uid").GetString()!), $"{file}: duplicate uid");
            Assert.NotEmpty(root.GetProperty("title").GetString()!);
            Assert.True(root.GetProperty("schemaVersion").GetInt32() > 0, file);
            var ids = new HashSet<int>();
            foreach (var panel in root.GetProperty("panels").EnumerateArray())
            {
                var title = panel.GetProperty("title").GetString()!;
                Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"{file}: duplicate panel id ({title})");
                var grid = panel.GetProperty("gridPos");
                Assert.True(grid.GetProperty("w").GetInt32() is > 0 and <= 24 && grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32() <= 24, $"{title}: gridPos");
                if (panel.GetProperty("type").GetString() == "row")
                    continue;
                Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("description").GetString()), $"{title}: no description");
                Assert.Equal(DatasourceUid, panel.GetProperty("datasource").GetProperty("uid").GetString());
                var targets = panel.GetProperty("targets").EnumerateArray().ToList();
                Assert.NotEmpty(targets);
                Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
                Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()), $"{title}: empty query"));
                Assert.All(targets, t => Assert.Equal(DatasourceUid, t.GetProperty("datasource").GetProperty("uid").GetString()));
            }
        }
    }

    [Fact]
    public void Every_panel_is_documented_in_docs_monitoring()
    {
        var docs = File.ReadAllText(Path.Combine(Repository.Root, "docs", "monitoring.md"));
        var missing = GrafanaFiles.Panels().Select(p => p.Panel.GetProperty("title").GetString()!).Where(t => !docs.Contains($"**{t}**", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"Panels not described (as **title**) in docs/monitoring.md: {string.Join("; ", missing)}");
    }

    [Fact]
    public void Reading_queries_finds_the_metric_names_and_nothing_else()
    {
        Assert.Equal(new[] { "mlaspire_peer_training_duration_seconds_bucket" },
            PromQl.MetricNames("histogram_quantile(0.95, sum by (le, operation) (rate(mlaspire_peer_training_duration_seconds_bucket{outcome=\"error\", x=~\"a|b\"}[$__rate_interval])))"));
        Assert.Equal(new[] { "a_total", "b" }, PromQl.MetricNames("sum(rate(a_total[5m])) * 60 / on (job) group_left (x) max without (y) (b) or vector(0)").Order());
        Assert.Equal(new[] { "up" }, PromQl.MetricNames("sum by (job) (up)"));
    }
}
