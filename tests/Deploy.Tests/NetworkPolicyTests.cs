using System.Net;
using System.Text.Json.Nodes;

namespace MlAspire.Deploy.Tests;

/// <summary>
/// The NetworkPolicies of a fresh publication, evaluated as Kubernetes does over every flow between the namespace's pods
/// (on each port a container declares) and the endpoints outside it: every flow the system needs is allowed, and every
/// other one is denied.
/// </summary>
public sealed class NetworkPolicyTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    /// <summary>
    /// A place traffic comes from or goes to: a pod (namespace, labels, named ports, an address in the pod network,
    /// which an ipBlock matches too) or an address outside any pod.
    /// </summary>
    private sealed record Endpoint(string Name, string Namespace, IReadOnlyDictionary<string, string> Labels, IPAddress Address,
        IReadOnlyList<(string? Name, int Number, string Protocol)> Ports, bool IsPod);

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>
    /// The cluster's DNS, a node (API server on 6443, kubelet on 10250; another node than the pods': a pod's own node
    /// is always allowed, whatever the policies), and a client on the Internet.
    /// </summary>
    private static readonly Endpoint[] Outside =
    [
        new("kube-dns", "kube-system", new Dictionary<string, string> { ["k8s-app"] = "kube-dns" }, IPAddress.Parse("10.42.0.200"), [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")], IsPod: true),
        new("node", "", NoLabels, IPAddress.Parse("10.0.0.5"), [(null, 6443, "TCP"), (null, 10250, "TCP"), (null, 22, "TCP")], IsPod: false),
        new("internet", "", NoLabels, IPAddress.Parse("203.0.113.9"), [(null, 443, "TCP"), (null, 10250, "TCP")], IsPod: false),
        // A peer on another machine, routed into the pod network (docs/k3s.md, "Joining from outside"), serving gRPC on 5201.
        new("outside-peer", "", NoLabels, IPAddress.Parse("10.99.0.2"), [(null, 5201, "TCP"), (null, 22, "TCP")], IsPod: false),
    ];

    /// <summary>
    /// What K3s:OutsidePeers=10.99.0.0/24 adds: the outside peer calls the Bootstrap and the peers, and they and the
    /// Visualization call it on its gRPC port (not on its others, such as 22).
    /// </summary>
    private static readonly HashSet<string> NeededByOutsidePeers =
        ["outside-peer → peer:grpc", "outside-peer → bootstrap:grpc", "peer → outside-peer:5201", "visualization → outside-peer:5201"];

    /// <summary>Source → destination:port name, for every flow the system needs; everything else must be denied.</summary>
    private static readonly HashSet<string> Needed =
    [
        "peer → peer:grpc", "peer → peer:swarm", "peer → bootstrap:grpc",
        "visualization → peer:grpc", "visualization → bootstrap:grpc",
        "prometheus → peer:http", "prometheus → bootstrap:http", "prometheus → visualization:http",
        "prometheus → node:6443", "prometheus → node:10250",
        "grafana → prometheus:http",
        // The two UIs take connections from anyone outside the namespace (K3s' load balancer forwards them).
        .. new[] { "internet", "node", "kube-dns", "outside-peer" }.SelectMany(outside => new[] { $"{outside} → visualization:http", $"{outside} → grafana:http" }),
        .. new[] { "peer", "bootstrap", "visualization", "prometheus", "grafana" }.SelectMany(pod => new[] { $"{pod} → kube-dns:dns", $"{pod} → kube-dns:dns-tcp" }),
    ];

    /// <summary>
    /// Allowed though not needed: the nodes' addresses are unknown when the manifests are made, so Prometheus may open
    /// the kubelet's and the API server's ports to any address (docs/k3s.md says so and how to narrow it).
    /// </summary>
    private static readonly HashSet<string> Tolerated = ["prometheus → internet:10250"];

    [Fact]
    public void Every_needed_flow_is_allowed_and_every_other_denied() => AssertExactly(fresh.Manifests, Needed);

    /// <summary>Peers outside the cluster get in from their network's addresses only, to gRPC only, and are called on their gRPC port only.</summary>
    [Fact]
    public async Task Outside_peers_reach_the_Bootstraps_and_the_peers_gRPC_and_nothing_else()
    {
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--ipfs", "embedded", "--K3s:OutsidePeers", "10.99.0.0/24");
        // Peers on the embedded store have no Kubo swarm port.
        AssertExactly(Manifests.Load(folder.Path), [.. Needed.Where(flow => !flow.EndsWith(":swarm", StringComparison.Ordinal)), .. NeededByOutsidePeers]);
    }

    private static void AssertExactly(Manifests manifests, HashSet<string> needed)
    {
        var @namespace = manifests.Documents.Single(document => document.Kind == "Namespace").Name;
        var pods = manifests.Workloads.Select((workload, index) => new Endpoint(workload.Name, @namespace,
            workload.Tree["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().ToDictionary(pair => pair.Key, pair => (string)pair.Value!),
            IPAddress.Parse($"10.42.0.{index + 10}"),
            workload.Containers.SelectMany(container => container["ports"]?.AsArray() ?? [])
                .Select(port => ((string?)port!["name"], int.Parse((string)port["containerPort"]!), (string?)port["protocol"] ?? "TCP")).ToList(),
            IsPod: true)).ToList();
        var policies = manifests.Documents.Where(document => document.Kind == "NetworkPolicy").Select(document => document.Tree).ToList();
        var everyone = pods.Concat(Outside).ToList();

        var wrong = new List<string>();
        var allowed = new HashSet<string>();
        foreach (var source in everyone)
            foreach (var destination in everyone.Where(candidate => candidate != source || candidate.IsPod))
                foreach (var port in destination.Ports)
                {
                    if (!source.IsPod && !destination.IsPod || source.Namespace != @namespace && destination.Namespace != @namespace)
                        continue; // nothing of this namespace's policies decides it
                    var flow = $"{source.Name} → {destination.Name}:{port.Name ?? port.Number.ToString()}";
                    var isAllowed = Allows(policies, @namespace, source, destination, port, egress: true)
                        && Allows(policies, @namespace, destination, source, port, egress: false);
                    if (isAllowed)
                        allowed.Add(flow);
                    if (isAllowed != (needed.Contains(flow) || Tolerated.Contains(flow)))
                        wrong.Add($"{flow} is {(isAllowed ? "allowed" : "denied")}");
                }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal(needed.Union(Tolerated).Order(), allowed.Order()); // and every needed flow exists among the evaluated ones
    }

    /// <summary>
    /// Whether the policies selecting <paramref name="subject"/> (in this namespace) let it send to (egress) or take from
    /// (ingress) <paramref name="other"/> on <paramref name="port"/>, a port of the destination. A pod no policy of that
    /// direction selects is not isolated in it; the allowed flows of all policies that select it add up.
    /// </summary>
    private static bool Allows(List<JsonObject> policies, string @namespace, Endpoint subject, Endpoint other,
        (string? Name, int Number, string Protocol) port, bool egress)
    {
        if (!subject.IsPod || subject.Namespace != @namespace)
            return true;
        var direction = egress ? "Egress" : "Ingress";
        var selecting = policies.Where(policy =>
            PolicyTypes(policy["spec"]!.AsObject()).Contains(direction)
            && Matches(policy["spec"]!["podSelector"]?.AsObject(), subject.Labels)).ToList();
        if (selecting.Count == 0)
            return true;
        return selecting.SelectMany(policy => policy["spec"]![egress ? "egress" : "ingress"]?.AsArray() ?? [])
            .Any(rule => PeersMatch(rule![egress ? "to" : "from"]?.AsArray(), @namespace, other) && PortsMatch(rule["ports"]?.AsArray(), port));
    }

    /// <summary>A policy's types; without them, Kubernetes' default: Ingress, and Egress when it has egress rules.</summary>
    private static IEnumerable<string> PolicyTypes(JsonObject spec) =>
        spec["policyTypes"]?.AsArray().Select(type => (string)type!)
        ?? (spec["egress"] is null ? ["Ingress"] : ["Ingress", "Egress"]);

    private static bool PeersMatch(JsonArray? peers, string @namespace, Endpoint other)
    {
        if (peers is null || peers.Count == 0)
            return true;
        return peers.Any(node =>
        {
            var peer = node!.AsObject();
            if (peer["ipBlock"] is { } block)
                return InCidr(other.Address, (string)block["cidr"]!)
                    && !(block["except"]?.AsArray().Any(except => InCidr(other.Address, (string)except!)) ?? false);
            if (!other.IsPod)
                return false;
            var namespaceMatches = peer["namespaceSelector"] is JsonObject namespaceSelector
                ? Matches(namespaceSelector, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = other.Namespace })
                : other.Namespace == @namespace;
            return namespaceMatches && Matches(peer["podSelector"]?.AsObject(), other.Labels);
        });
    }

    private static bool PortsMatch(JsonArray? ports, (string? Name, int Number, string Protocol) port) =>
        ports is null || ports.Count == 0 || ports.Any(node =>
        {
            var rule = node!.AsObject();
            if (((string?)rule["protocol"] ?? "TCP") != port.Protocol)
                return false;
            if (rule["port"] is null)
                return true;
            var value = (string)rule["port"]!;
            if (!int.TryParse(value, out var number))
                return value == port.Name;
            var end = rule["endPort"] is { } endPort ? int.Parse((string)endPort!) : number;
            return port.Number >= number && port.Number <= end;
        });

    /// <summary>A label selector's matchLabels (an empty or absent selector matches everything); expressions are not used here.</summary>
    private static bool Matches(JsonObject? selector, IReadOnlyDictionary<string, string> labels)
    {
        Assert.True(selector?["matchExpressions"] is null, "matchExpressions are not evaluated by this test");
        return selector?["matchLabels"]?.AsObject().All(pair => labels.TryGetValue(pair.Key, out var value) && value == (string?)pair.Value) ?? true;
    }

    private static bool InCidr(IPAddress address, string cidr)
    {
        var network = IPNetwork.Parse(cidr);
        return network.Contains(address);
    }
}
