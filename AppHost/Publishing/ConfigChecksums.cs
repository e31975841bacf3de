using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// Stamps each pod template with a checksum of the ConfigMaps its pod mounts. The kubelet updates a mounted ConfigMap in
/// place, but the services read their configuration at start: a changed checksum changes the template, so applying an
/// edited file rolls exactly the pods that read it. (Secrets need none: kustomize names each after a hash of its
/// contents, and the new name changes the templates that refer to it.)
/// </summary>
internal static class ConfigChecksums
{
    private const string Annotation = "checksum/config";

    public static void Apply(IReadOnlyCollection<IKubernetesObject> objects)
    {
        var configMaps = objects.OfType<V1ConfigMap>().ToDictionary(configMap => configMap.Metadata.Name, StringComparer.Ordinal);
        foreach (var template in objects.Select(Template).OfType<V1PodTemplateSpec>())
        {
            var mounted = (template.Spec.Volumes ?? []).Where(volume => volume.ConfigMap is not null)
                .Select(volume => configMaps.TryGetValue(volume.ConfigMap.Name, out var configMap) ? configMap
                    : throw new InvalidOperationException($"A pod mounts ConfigMap '{volume.ConfigMap.Name}', which the publication does not contain."))
                .OrderBy(configMap => configMap.Metadata.Name, StringComparer.Ordinal)
                .ToList();
            if (mounted.Count == 0)
                continue;
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("---\n", mounted.Select(KubernetesYaml.Serialize))));
            template.Metadata.Annotations ??= new Dictionary<string, string>();
            template.Metadata.Annotations[Annotation] = Convert.ToHexStringLower(hash);
        }
    }

    private static V1PodTemplateSpec? Template(IKubernetesObject item) => item switch
    {
        V1Deployment deployment => deployment.Spec.Template,
        V1StatefulSet statefulSet => statefulSet.Spec.Template,
        _ => null,
    };
}
