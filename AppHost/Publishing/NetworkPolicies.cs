using k8s;
using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// The namespace's NetworkPolicies (K3s enforces them): everything denied, then exactly the flows the system needs,
/// each on its named port (resolved against the destination's containers, so a port changed in the model needs no edit
/// here). Peers call each other's gRPC and Kubo swarm ports and the Bootstrap's gRPC; the Visualization calls peers and
/// the Bootstrap; Prometheus scrapes every service's http port, lists pods and nodes from the API server and reads each
/// kubelet's metrics; Grafana reads Prometheus; the Visualization and Grafana take connections from outside. Every pod
/// may ask the cluster's DNS. Kubo's RPC API is on each pod's loopback and takes no traffic at all. Peers outside the
/// cluster (<see cref="K3sSettings.OutsidePeers"/>) call the Bootstrap's and the peers' gRPC, and the peers call them.
/// </summary>
internal sealed class NetworkPolicies(K3sSettings settings)
{
    /// <summary>
    /// K3s' API server port. Prometheus calls the kubernetes Service on 443, which is translated to a server's address
    /// and this port before any policy sees the connection.
    /// </summary>
    private const int ApiServerPort = 6443;

    private const int KubeletPort = 10250;

    public List<IKubernetesObject> Build() =>
    [
        Policy("default-deny", podSelector: new V1LabelSelector(), ingress: [], egress: []),
        Policy("dns", podSelector: new V1LabelSelector(), ingress: null, egress:
        [
            new V1NetworkPolicyEgressRule
            {
                To =
                [
                    new V1NetworkPolicyPeer
                    {
                        NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" } },
                        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
                    },
                ],
                Ports = [Port(53, "UDP"), Port(53, "TCP")],
            },
        ]),
        Policy("peer", For("peer"),
            ingress: [From(["peer"], "grpc", "swarm"), From(["visualization"], "grpc"), From(["prometheus"], "http"), .. FromOutsidePeers("grpc")],
            egress: [To(["peer"], "grpc", "swarm"), To(["bootstrap"], "grpc"), .. ToOutsidePeers()]),
        Policy("bootstrap", For("bootstrap"),
            ingress: [From(["peer", "visualization"], "grpc"), From(["prometheus"], "http"), .. FromOutsidePeers("grpc")],
            egress: []),
        // The UI is served through K3s' service load balancer, whose source address is any node's or client's.
        Policy("visualization", For("visualization"),
            ingress: [new V1NetworkPolicyIngressRule { Ports = [Port("http")] }],
            egress: [To(["peer", "bootstrap"], "grpc"), .. ToOutsidePeers()]),
        Policy("prometheus", For("prometheus"),
            ingress: [From(["grafana"], "http")],
            egress:
            [
                To(["peer", "bootstrap", "visualization"], "http"),
                new V1NetworkPolicyEgressRule { To = [AnyAddress], Ports = [Port(ApiServerPort, "TCP"), Port(KubeletPort, "TCP")] },
            ]),
        Policy("grafana", For("grafana"),
            ingress: [new V1NetworkPolicyIngressRule { Ports = [Port("http")] }],
            egress: [To(["prometheus"], "http")]),
    ];

    /// <summary>
    /// Node addresses (the API server's and the kubelets') are the cluster's own and not known here: any address, on
    /// those two ports only. An operator who knows the nodes' network can narrow it.
    /// </summary>
    private static V1NetworkPolicyPeer AnyAddress => new() { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0" } };

    private V1NetworkPolicy Policy(string name, V1LabelSelector podSelector, List<V1NetworkPolicyIngressRule>? ingress, List<V1NetworkPolicyEgressRule>? egress) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = KubeObjects.Meta(name, settings.Namespace, Labels.For(name, "network", settings.Tag)),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = podSelector,
            PolicyTypes = [.. new[] { ingress is null ? null : "Ingress", egress is null ? null : "Egress" }.OfType<string>()],
            Ingress = ingress is { Count: > 0 } ? ingress : null,
            Egress = egress is { Count: > 0 } ? egress : null,
        },
    };

    private IEnumerable<V1NetworkPolicyIngressRule> FromOutsidePeers(string port) =>
        settings.OutsidePeers is { Count: > 0 } networks
            ? [new V1NetworkPolicyIngressRule { FromProperty = [.. networks.Select(Network)], Ports = [Port(port)] }]
            : [];

    private IEnumerable<V1NetworkPolicyEgressRule> ToOutsidePeers() =>
        settings.OutsidePeers is { Count: > 0 } networks
            ? [new V1NetworkPolicyEgressRule { To = [.. networks.Select(Network)], Ports = [Port(settings.OutsidePeerPort, "TCP")] }]
            : [];

    private static V1NetworkPolicyPeer Network(string cidr) => new() { IpBlock = new V1IPBlock { Cidr = cidr } };

    private static V1LabelSelector For(string workload) => new() { MatchLabels = Labels.Selector(workload) };

    private static V1NetworkPolicyIngressRule From(string[] workloads, params string[] ports) => new()
    {
        FromProperty = [.. workloads.Select(workload => new V1NetworkPolicyPeer { PodSelector = For(workload) })],
        Ports = [.. ports.Select(Port)],
    };

    private static V1NetworkPolicyEgressRule To(string[] workloads, params string[] ports) => new()
    {
        To = [.. workloads.Select(workload => new V1NetworkPolicyPeer { PodSelector = For(workload) })],
        Ports = [.. ports.Select(Port)],
    };

    private static V1NetworkPolicyPort Port(string name) => new() { Port = name, Protocol = "TCP" };

    private static V1NetworkPolicyPort Port(int number, string protocol) => new() { Port = number, Protocol = protocol };
}
