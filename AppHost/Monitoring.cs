using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost;

/// <summary>How Prometheus (and Grafana) run next to the system.</summary>
internal enum MonitoringMode
{
    /// <summary><c>prom/prometheus</c> and <c>grafana/grafana</c> containers (needs a healthy container runtime).</summary>
    Containers,

    /// <summary>A local <c>prometheus</c> executable (Debian's package); no Grafana.</summary>
    Prometheus,

    /// <summary>Neither: the Aspire dashboard still shows every metric and trace.</summary>
    None,
}

/// <summary>The monitoring mode for this run and why it was chosen; logged when the app starts.</summary>
internal sealed record MonitoringChoice(MonitoringMode Mode, string Reason)
{
    public const string SettingName = "monitoring";

    public const string PrometheusExecutable = "prometheus";

    /// <summary>
    /// The <c>monitoring</c> setting (<c>--monitoring containers|prometheus|none</c>) forces a mode; unset or <c>auto</c>:
    /// containers when the container runtime answers, else a <c>prometheus</c> on the PATH, else none. Publishing adds
    /// nothing: deploy/k3s carries its own Prometheus and Grafana.
    /// </summary>
    public static MonitoringChoice Choose(IDistributedApplicationBuilder builder)
    {
        var setting = builder.Configuration[SettingName]?.Trim().ToLowerInvariant();
        switch (setting)
        {
            case "containers":
                return new(MonitoringMode.Containers, $"forced by the '{SettingName}' setting");
            case "prometheus":
                return new(MonitoringMode.Prometheus, $"forced by the '{SettingName}' setting");
            case "none":
                return new(MonitoringMode.None, $"forced by the '{SettingName}' setting");
            case null or "" or "auto":
                break;
            default:
                throw new InvalidOperationException($"'{SettingName}' is '{setting}'; expected auto, containers, prometheus or none.");
        }

        if (builder.ExecutionContext.IsPublishMode)
            return new(MonitoringMode.None, "publishing: deploy/k3s runs Prometheus (Kubernetes discovery) and Grafana");
        var runtime = ContainerRuntime.Probe(builder.Configuration);
        if (runtime.Healthy)
            return new(MonitoringMode.Containers, runtime.Description);
        var (exitCode, output) = Command.Run(PrometheusExecutable, ["--version"], TimeSpan.FromSeconds(5));
        return exitCode == 0
            ? new(MonitoringMode.Prometheus, $"{runtime.Description}; {Command.FirstLine(output)} is on the PATH (no Grafana without containers)")
            : new(MonitoringMode.None, $"{runtime.Description}; no '{PrometheusExecutable}' on the PATH (apt-get install prometheus adds one)");
    }
}

/// <summary>
/// Prometheus (and, with containers, Grafana) in the app model, configured from deploy/: the Prometheus configuration is
/// rendered just before Prometheus starts, when Aspire has allocated the addresses it needs (see PrometheusConfig).
/// </summary>
internal static class MonitoringExtensions
{
    /// <summary>Pinned for reproducible runs. Not pulled on the development machines (no Docker there), so untried here.</summary>
    public const string PrometheusImage = "prom/prometheus";
    public const string PrometheusTag = "v3.7.3";
    public const string GrafanaImage = "grafana/grafana";
    public const string GrafanaTag = "12.2.1";

    /// <summary>How a Prometheus container reaches the services on this machine.</summary>
    private const string HostFromContainer = "host.docker.internal";

    public static MonitoringChoice AddMonitoring(this IDistributedApplicationBuilder builder, TopologySettings settings,
        IResourceBuilder<ProjectResource> bootstrap, IResourceBuilder<ProjectResource> visualization, IpfsNodes ipfs)
    {
        var choice = MonitoringChoice.Choose(builder);
        var deploy = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "deploy"));
        var output = Path.Combine(settings.StateDirectory, "prometheus");
        switch (choice.Mode)
        {
            case MonitoringMode.Containers:
                Directory.CreateDirectory(output); // bind-mounted before the configuration is rendered into it
                var prometheus = builder.AddContainer("prometheus", PrometheusImage, PrometheusTag)
                    .WithHttpEndpoint(targetPort: 9090, name: "http")
                    .WithBindMount(output, "/etc/prometheus", isReadOnly: true)
                    .WithArgs("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle")
                    .WaitFor(bootstrap); // its first discovery refresh then finds the Bootstrap up
                RenderConfigBeforeStart(prometheus, deploy, output, bootstrap, visualization, ipfs, HostFromContainer);
                // Grafana reaches Prometheus by its resource name on the app's container network (the datasource's URL).
                builder.AddContainer("grafana", GrafanaImage, GrafanaTag)
                    .WithHttpEndpoint(targetPort: 3000, name: "http")
                    .WithBindMount(Path.Combine(deploy, "grafana", "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
                    .WithBindMount(Path.Combine(deploy, "grafana", "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true)
                    .WithEnvironment(PrometheusConfig.GrafanaScrapeIntervalVariable, PrometheusConfig.ScrapeInterval(PrometheusConfig.TemplatePath(Path.GetDirectoryName(deploy)!)))
                    .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
                    .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
                    .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/var/lib/grafana/dashboards/peer-metrics.json")
                    .WithParentRelationship(prometheus); // never WaitFor a container: it may never start
                break;
            case MonitoringMode.Prometheus:
                Directory.CreateDirectory(output); // the executable's working directory
                var local = builder.AddExecutable("prometheus", MonitoringChoice.PrometheusExecutable, output)
                    .WithHttpEndpoint(name: "http")
                    .WaitFor(bootstrap);
                local.WithArgs(
                    $"--config.file={Path.Combine(output, "prometheus.yml")}",
                    $"--storage.tsdb.path={Path.Combine(output, "data")}",
                    ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{local.GetEndpoint("http").Property(EndpointProperty.TargetPort)}"));
                RenderConfigBeforeStart(local, deploy, output, bootstrap, visualization, ipfs, "localhost");
                break;
        }
        builder.Eventing.Subscribe<BeforeStartEvent>((startEvent, _) =>
        {
            var logger = startEvent.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MlAspire.AppHost");
            logger.LogInformation("Monitoring: {Mode} ({Reason})", choice.Mode.ToString().ToLowerInvariant(), choice.Reason);
            return Task.CompletedTask;
        });
        return choice;
    }

    /// <summary>
    /// Writes prometheus.yml and its target files into <paramref name="output"/> once addresses are allocated, just
    /// before Prometheus starts. Peers need no target: Prometheus asks the Bootstrap for them.
    /// </summary>
    private static void RenderConfigBeforeStart<T>(IResourceBuilder<T> prometheus, string deploy, string output,
        IResourceBuilder<ProjectResource> bootstrap, IResourceBuilder<ProjectResource> visualization, IpfsNodes ipfs, string host)
        where T : IResource
    {
        prometheus.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus.Resource, async (_, cancellationToken) =>
        {
            string Address(EndpointReference endpoint) => $"{host}:{endpoint.Port}";
            var template = await File.ReadAllTextAsync(Path.Combine(deploy, "prometheus", "prometheus.yml"), cancellationToken);
            PrometheusConfig.Write(template, output, Address(bootstrap.GetEndpoint("http")), host, new Dictionary<string, IReadOnlyList<PrometheusConfig.Target>>
            {
                ["visualization"] = [new(Address(visualization.GetEndpoint("http")), new Dictionary<string, string>())],
                ["ipfs"] = [.. ipfs.ApiEndpoints.Select(node => new PrometheusConfig.Target(Address(node.Endpoint), new Dictionary<string, string> { ["node"] = node.Name }))],
            });
        });
    }
}
