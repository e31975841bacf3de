using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// gRPC in the cluster runs over TLS: the join token and members' call headers cross the cluster network, and K3s'
/// flannel does not encrypt it. Each project workload has a certificate in the Secret <see cref="SecretName"/>
/// (tls.crt, tls.key, ca.crt: the layout cert-manager writes, and deploy/tls/grpc-certs.sh too). A workload that
/// serves gRPC presents it on its gRPC endpoint; every workload trusts only ca.crt for the gRPC servers it calls
/// (Tls:CaFile, ServiceDefaults' GrpcTrust), and one that serves none mounts ca.crt alone. Local runs keep h2c.
/// </summary>
internal static class GrpcTls
{
    public const string MountPath = "/etc/mlaspire/tls";
    private const string Volume = "grpc-tls";

    public static string SecretName(string workload) => $"grpc-tls-{workload}";

    /// <summary>The CA cert-manager signs the workloads' certificates with (its key stays in this Secret, mounted by no pod).</summary>
    public const string CaSecret = "grpc-ca";

    public static bool IsGrpc(EndpointAnnotation endpoint) => endpoint.Transport == "http2";

    /// <summary>The scheme of an endpoint's address in the cluster: https for gRPC, as served; the model's otherwise.</summary>
    public static string Scheme(EndpointAnnotation endpoint) => IsGrpc(endpoint) ? "https" : endpoint.UriScheme;

    public static bool ServesGrpc(Workload workload) => Workload.Endpoints(workload.Template).Any(IsGrpc);

    /// <summary>
    /// The names a workload's gRPC clients reach it by: its Services' (the Bootstrap's pod-address one too, see
    /// <see cref="WorkloadManifests.PodAddressService"/>), or for a StatefulSet any of its pods' (<see cref="K3sSettings.PodHost"/>).
    /// A wildcard matches one label, and only with two or more after it, so the short "*.peer" is not among them.
    /// </summary>
    public static IReadOnlyList<string> DnsNames(Workload workload, K3sSettings settings)
    {
        if (workload.IsStateful)
            return [settings.PodHost("*", workload.Name), $"*.{workload.Name}.{settings.Namespace}.svc", $"*.{workload.Name}.{settings.Namespace}"];
        string[] services = ServesGrpc(workload) ? [workload.Name, WorkloadManifests.PodAddressService(workload.Name)] : [workload.Name];
        return [.. services.SelectMany(service => new[] { service, $"{service}.{settings.Namespace}", $"{service}.{settings.Namespace}.svc", $"{service}.{settings.Namespace}.svc.{settings.ClusterDomain}" })];
    }

    /// <summary>Mounts the workload's Secret and points Kestrel's gRPC endpoint (when it serves one) and GrpcTrust at it.</summary>
    public static void Configure(Workload workload, V1Container container, List<V1Volume> volumes)
    {
        var serves = ServesGrpc(workload);
        volumes.Add(new V1Volume
        {
            Name = Volume,
            Secret = new V1SecretVolumeSource
            {
                SecretName = SecretName(workload.Name),
                // Owner root, group the pod's fsGroup (the app user's): readable by the service, by no one else.
                DefaultMode = 0b100_100_000, // 0440
                Items = serves ? null : [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }],
            },
        });
        (container.VolumeMounts ??= []).Add(new V1VolumeMount { Name = Volume, MountPath = MountPath, ReadOnlyProperty = true });
        container.Env.Add(new V1EnvVar { Name = "Tls__CaFile", Value = $"{MountPath}/ca.crt" });
        if (!serves)
            return;
        foreach (var endpoint in Workload.Endpoints(workload.Template).Where(IsGrpc))
        {
            // Aspire writes the listening URL with the model's scheme, not through the endpoint references the
            // environment resolver turns to https: the one place the scheme is swapped by hand.
            var url = container.Env.Single(variable => variable.Name == $"Kestrel__Endpoints__{endpoint.Name}__Url");
            url.Value = "https" + url.Value[url.Value.IndexOf("://", StringComparison.Ordinal)..];
            // Kestrel reads PEM files and watches them: a certificate cert-manager renews is served without a restart.
            container.Env.Add(new V1EnvVar { Name = $"Kestrel__Endpoints__{endpoint.Name}__Certificate__Path", Value = $"{MountPath}/tls.crt" });
            container.Env.Add(new V1EnvVar { Name = $"Kestrel__Endpoints__{endpoint.Name}__Certificate__KeyPath", Value = $"{MountPath}/tls.key" });
        }
    }

    /// <summary>
    /// cert-manager's objects for the same Secrets: a self-signed issuer makes the CA, a CA issuer signs each workload's
    /// certificate with it. deploy/tls/grpc-certs.sh applies them where cert-manager runs, and otherwise reads the same
    /// names from them to make the Secrets itself.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject> CertManagerObjects(K3sSettings settings, IEnumerable<Workload> workloads)
    {
        var labels = Labels.For("grpc-tls", "tls", settings.Tag);
        V1ObjectMeta Meta(string name) => KubeObjects.Meta(name, settings.Namespace, labels);
        var objects = new List<IKubernetesObject>
        {
            new CertManagerObject("Issuer", Meta("grpc-selfsigned"), new Dictionary<string, object> { ["selfSigned"] = new Dictionary<string, object>() }),
            new CertManagerObject("Certificate", Meta(CaSecret), new Dictionary<string, object>
            {
                ["isCA"] = true,
                ["commonName"] = $"{settings.Namespace} gRPC CA",
                ["secretName"] = CaSecret,
                ["duration"] = "87600h", // ten years: the CA is the network's trust root, rotated on purpose (docs/k3s.md)
                // Renewed with the same key: every client trusts the CA certificate it was given, and a new key would
                // fail every call until each pod had the new ca.crt.
                ["privateKey"] = new Dictionary<string, object> { ["algorithm"] = "ECDSA", ["size"] = 256, ["rotationPolicy"] = "Never" },
                ["issuerRef"] = new Dictionary<string, object> { ["kind"] = "Issuer", ["name"] = "grpc-selfsigned" },
            }),
            new CertManagerObject("Issuer", Meta("grpc-ca"), new Dictionary<string, object> { ["ca"] = new Dictionary<string, object> { ["secretName"] = CaSecret } }),
        };
        foreach (var workload in workloads)
            objects.Add(new CertManagerObject("Certificate", Meta(SecretName(workload.Name)), new Dictionary<string, object>
            {
                ["secretName"] = SecretName(workload.Name),
                ["commonName"] = workload.Name,
                ["dnsNames"] = DnsNames(workload, settings),
                ["duration"] = "2160h",
                ["renewBefore"] = "720h",
                ["privateKey"] = new Dictionary<string, object> { ["algorithm"] = "ECDSA", ["size"] = 256, ["rotationPolicy"] = "Always" },
                ["usages"] = new[] { "digital signature", "server auth" }, // servers only: callers prove membership, not a certificate
                ["issuerRef"] = new Dictionary<string, object> { ["kind"] = "Issuer", ["name"] = "grpc-ca" },
            }));
        return objects;
    }

    /// <summary>A cert-manager resource (cert-manager.io/v1), which the Kubernetes client has no model for.</summary>
    private sealed class CertManagerObject(string kind, V1ObjectMeta metadata, Dictionary<string, object> spec) : IKubernetesObject<V1ObjectMeta>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "cert-manager.io/v1";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = kind;

        [JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata { get; set; } = metadata;

        [JsonPropertyName("spec")]
        public Dictionary<string, object> Spec { get; } = spec;
    }
}
