using MlAspire.Bootstrap.Membership;

namespace MlAspire.Bootstrap.Discovery;

/// <summary>One entry of a Prometheus http_sd_configs response.</summary>
public sealed record PrometheusTargetGroup(IReadOnlyList<string> Targets, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// Prometheus HTTP service discovery: every member that gave a metrics address, as
/// <c>[{"targets":["host:port"],"labels":{"peer_id":"…"}}]</c>, so Prometheus finds peers on any orchestrator.
/// </summary>
public static class PrometheusDiscovery
{
    public const string Path = "/sd/peers";

    public static IReadOnlyList<PrometheusTargetGroup> TargetGroups(IEnumerable<PeerRecord> peers) =>
        [.. peers
            .Where(p => p.Registration.MetricsAddress.Length > 0)
            .Select(p => new PrometheusTargetGroup([p.Registration.MetricsAddress], new Dictionary<string, string> { ["peer_id"] = p.PeerId }))];

    public static IEndpointRouteBuilder MapPrometheusDiscovery(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (IMembershipRegistry registry) => Results.Json(TargetGroups(registry.Peers)));
        return endpoints;
    }
}
