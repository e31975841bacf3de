using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Common wiring for every MlAspire service: OpenTelemetry (OTLP to the Aspire dashboard when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, Prometheus exposition on <c>/metrics</c>), health checks,
/// service discovery and standard resilience for outgoing HTTP.
/// </summary>
public static class Extensions
{
    /// <summary>Readiness: every registered health check must pass.</summary>
    public const string HealthEndpointPath = "/health";

    /// <summary>Liveness: only checks tagged <see cref="LiveTag"/> (the process is responsive).</summary>
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Prometheus text exposition of the service's metrics.</summary>
    public const string MetricsEndpointPath = "/metrics";

    /// <summary>Tag for health checks that belong to the liveness probe.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Prefix of the <see cref="System.Diagnostics.Metrics.Meter"/> and
    /// <see cref="System.Diagnostics.ActivitySource"/> names the services define (e.g. "MlAspire.Peer").
    /// </summary>
    public const string TelemetryPrefix = "MlAspire.";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.AddSingleton(GrpcTrust.From(builder.Configuration));
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Note: this also wraps gRPC clients created through the client factory
            // (10 s per attempt, 30 s in total); streaming calls need their own policy.
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(builder.Environment.ApplicationName, TelemetryPrefix + "*")
                .AddView(MetricStream)
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, TelemetryPrefix + "*")
                .AddAspNetCoreInstrumentation(options =>
                    // Probes and scrapes would drown the interesting traces.
                    options.Filter = context => !IsInfrastructureRequest(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Tag combinations kept per metric whose tags the service chooses itself (ours, the runtime's, Kestrel's); more are
    /// summed into one overflow series. The SDK's default of 2,000 sets aside a 144 KB array per metric from the start:
    /// 9 MB of large objects in a peer, for metrics with at most a few dozen combinations.
    /// </summary>
    public const int MetricCardinalityLimit = 250;

    /// <summary>
    /// Meters whose tags name the other side: HTTP client calls and name lookups have a series per member called (a
    /// peer may call any of up to 1,000, the Visualization watches all), HTTP server requests one per method, route and
    /// status a caller chooses. They keep the SDK's default, so that attribution is not lost to overflow in normal use.
    /// </summary>
    private static readonly HashSet<string> RemoteTaggedMeters = new(StringComparer.Ordinal)
    {
        "System.Net.Http",
        "System.Net.NameResolution",
        "Microsoft.AspNetCore.Hosting",
    };

    /// <summary>
    /// Prometheus reserves the _count suffix for histograms and summaries: `promtool check metrics` refuses these
    /// runtime gauges under their own names (dotnet_assembly_count, ...).
    /// </summary>
    private static readonly Dictionary<string, string> PrometheusNames = new(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers",
    };

    /// <summary>
    /// The one view every instrument goes through (two matching views would make two streams of one instrument): its
    /// Prometheus-safe name and its cardinality limit. Histograms keep their advised buckets; an instrument this view
    /// changes nothing for is left to the SDK's defaults (null).
    /// </summary>
    private static MetricStreamConfiguration? MetricStream(System.Diagnostics.Metrics.Instrument instrument)
    {
        var name = PrometheusNames.GetValueOrDefault(instrument.Name);
        var limited = !RemoteTaggedMeters.Contains(instrument.Meter.Name);
        return name is null && !limited ? null : new MetricStreamConfiguration { Name = name, CardinalityLimit = limited ? MetricCardinalityLimit : null };
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c>, <c>/alive</c> and <c>/metrics</c>. They are mapped in every environment:
    /// Kubernetes probes and Prometheus need them in production too, and they expose no secrets.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        });
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath);

        return app;
    }

    private static bool IsInfrastructureRequest(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath)
        || path.StartsWithSegments(AlivenessEndpointPath)
        || path.StartsWithSegments(MetricsEndpointPath);
}
