using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using ServiceDefaults = Microsoft.Extensions.Hosting.Extensions;

namespace MlAspire.Peer.Tests.Telemetry;

/// <summary>
/// The service defaults bound the tag combinations of the metrics whose tags the service itself chooses (the SDK's
/// 2,000 set aside 144 KB per metric up front), through the one view that also gives the runtime's *.count gauges their
/// Prometheus names; a real service, scraped over HTTP.
/// </summary>
public sealed class MetricCardinalityTests
{
    [Fact]
    public async Task A_metric_keeps_the_limit_of_tag_combinations_sums_the_rest_into_overflow_and_keeps_its_advised_buckets()
    {
        var builder = LoopbackApp.Builder();
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();

        using var meter = new Meter(ServiceDefaults.TelemetryPrefix + "CardinalityTest");
        var counter = meter.CreateCounter<long>("cardinality.test.calls");
        const int combinations = ServiceDefaults.MetricCardinalityLimit + 50;
        for (var i = 0; i < combinations; i++)
            counter.Add(1, new KeyValuePair<string, object?>("caller", $"peer-{i}"));
        var histogram = meter.CreateHistogram<double>("cardinality.test.duration", "s", null, null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 60] });
        histogram.Record(30);

        using var http = new HttpClient();
        var exposition = await http.GetStringAsync(new Uri(LoopbackApp.Address(app), ServiceDefaults.MetricsEndpointPath.TrimStart('/')));
        var series = exposition.Split('\n').Where(line => line.StartsWith("cardinality_test_calls_total{", StringComparison.Ordinal)).ToList();

        var named = series.Count(line => line.Contains("caller=\"peer-", StringComparison.Ordinal));
        Assert.Equal(ServiceDefaults.MetricCardinalityLimit, named);
        var overflow = Assert.Single(series, line => line.Contains("otel_metric_overflow=\"true\"", StringComparison.Ordinal));
        Assert.Equal(combinations - named, long.Parse(overflow[(overflow.IndexOf('}') + 2)..].Split(' ')[0])); // the value, before any timestamp
        Assert.Contains("cardinality_test_duration_seconds_bucket{otel_scope_name=\"MlAspire.CardinalityTest\",le=\"60\"} 1", exposition);
        Assert.Contains("dotnet_assemblies_loaded", exposition); // renamed by the same view
        Assert.DoesNotContain("dotnet_assembly_count", exposition);
        await app.StopAsync();
    }
}
