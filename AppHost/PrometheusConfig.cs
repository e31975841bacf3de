using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace MlAspire.AppHost;

/// <summary>
/// Renders deploy/prometheus/prometheus.yml for one run: the Bootstrap's address in place of the shipped localhost:5100,
/// the host name Prometheus reaches this machine's services by, and the file_sd target files (targets/*.json) for the
/// services it scrapes at fixed addresses. Shared with the monitoring tests, which run Prometheus on what this writes.
/// </summary>
internal static class PrometheusConfig
{
    /// <summary>The Bootstrap address the shipped file names.</summary>
    public const string ShippedBootstrap = "localhost:5100";

    private const string ShippedPeerHost = "replacement: 'localhost:$1'";

    /// <summary>One file_sd target: host:port and its labels.</summary>
    public sealed record Target(string Address, IReadOnlyDictionary<string, string> Labels);

    /// <summary>Writes prometheus.yml and targets/&lt;job&gt;.json into <paramref name="outputDirectory"/>; returns the config's path.</summary>
    /// <param name="template">The text of deploy/prometheus/prometheus.yml.</param>
    /// <param name="bootstrap">host:port of the Bootstrap's HTTP endpoint, as Prometheus reaches it.</param>
    /// <param name="serviceHost">The name Prometheus reaches this machine by: "localhost", or "host.docker.internal" from a container.</param>
    /// <param name="fileTargets">Targets by file_sd job ("visualization", "ipfs"), with addresses as Prometheus reaches them.</param>
    public static string Write(string template, string outputDirectory, string bootstrap, string serviceHost, IReadOnlyDictionary<string, IReadOnlyList<Target>> fileTargets)
    {
        if (!template.Contains(ShippedBootstrap, StringComparison.Ordinal) || !template.Contains(ShippedPeerHost, StringComparison.Ordinal))
            throw new InvalidOperationException($"The Prometheus template no longer names {ShippedBootstrap} and {ShippedPeerHost}: update PrometheusConfig.");
        var config = template
            .Replace(ShippedBootstrap, bootstrap, StringComparison.Ordinal)
            .Replace(ShippedPeerHost, $"replacement: '{serviceHost}:$1'", StringComparison.Ordinal);
        var targets = Path.Combine(outputDirectory, "targets");
        Directory.CreateDirectory(targets);
        foreach (var (job, list) in fileTargets)
        {
            var groups = list.Select(t => new { targets = new[] { t.Address }, labels = t.Labels });
            File.WriteAllText(Path.Combine(targets, $"{job}.json"), JsonSerializer.Serialize(groups));
        }
        var path = Path.Combine(outputDirectory, "prometheus.yml");
        File.WriteAllText(path, config);
        return path;
    }

    /// <summary>
    /// The variable through which Grafana's datasource (deploy/grafana/provisioning/datasources) takes the scrape interval
    /// of the Prometheus it reads, as its minimum interval: rate panels then span whole scrapes, without gaps.
    /// </summary>
    public const string GrafanaScrapeIntervalVariable = "MLASPIRE_SCRAPE_INTERVAL";

    /// <summary>The global scrape_interval of the Prometheus configuration file at <paramref name="path"/>.</summary>
    public static string ScrapeInterval(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
            yaml.Load(reader);
        return yaml.Documents.FirstOrDefault()?.RootNode is YamlMappingNode root
            && root.Children.TryGetValue("global", out var global) && global is YamlMappingNode settings
            && settings.Children.TryGetValue("scrape_interval", out var interval) && interval is YamlScalarNode { Value: { Length: > 0 } value }
                ? value
                : throw new InvalidOperationException($"{path} sets no global scrape_interval, which Grafana's datasource takes as its minimum interval.");
    }

    /// <summary>deploy/prometheus/prometheus.yml of the repository the AppHost (or a test) runs from.</summary>
    public static string TemplatePath(string repositoryRoot) => Path.Combine(repositoryRoot, "deploy", "prometheus", "prometheus.yml");
}
