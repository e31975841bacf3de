using System.Text.Json;
using MlAspire.Integration.Tests;
using YamlDotNet.RepresentationModel;

namespace MlAspire.Monitoring.Tests;

/// <summary>One query of a dashboard panel, with where it sits (dashboard, row, panel).</summary>
public sealed record DashboardQuery(string Dashboard, string Row, string Panel, string Expression);

/// <summary>deploy/grafana as Grafana reads it: provisioning YAML and dashboard JSON.</summary>
public static class GrafanaFiles
{
    public static string Root => Path.Combine(Repository.Root, "deploy", "grafana");

    public static string DashboardsDirectory => Path.Combine(Root, "dashboards");

    public static IEnumerable<string> DashboardFiles => Directory.EnumerateFiles(DashboardsDirectory, "*.json").Order();

    public static YamlMappingNode ReadYaml(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, relativePath));
        stream.Load(reader);
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    public static JsonDocument ReadDashboard(string path) => JsonDocument.Parse(File.ReadAllText(path));

    /// <summary>Every panel of every dashboard with the row it is under ("" before the first row).</summary>
    public static IEnumerable<(string Dashboard, string Row, JsonElement Panel)> Panels()
    {
        foreach (var file in DashboardFiles)
        {
            using var dashboard = ReadDashboard(file);
            var title = dashboard.RootElement.GetProperty("title").GetString()!;
            var row = "";
            foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
            {
                if (panel.GetProperty("type").GetString() == "row")
                {
                    row = panel.GetProperty("title").GetString()!;
                    continue;
                }
                yield return (title, row, panel.Clone());
            }
        }
    }

    public static IEnumerable<DashboardQuery> Queries() =>
        Panels().SelectMany(p => p.Panel.GetProperty("targets").EnumerateArray()
            .Select(t => new DashboardQuery(p.Dashboard, p.Row, p.Panel.GetProperty("title").GetString()!, t.GetProperty("expr").GetString()!)));

    public static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar && scalar.Value is { Length: > 0 } text
            ? text
            : throw new Xunit.Sdk.XunitException($"'{key}' is missing or empty in {node.Start}");

    public static YamlSequenceNode Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence && sequence.Children.Count > 0
            ? sequence
            : throw new Xunit.Sdk.XunitException($"'{key}' is missing or empty in {node.Start}");
}
