using System.Text;
using k8s;
using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// Writes the manifests, one file per workload, and a kustomization.yaml listing them, so that
/// <c>kubectl apply -k</c> deploys the folder. Same model, same bytes: nothing time- or machine-dependent is written.
/// </summary>
internal static class ManifestFiles
{
    public const string Header = "# Generated from the AppHost's model by `dotnet run --project AppHost -- --operation publish --step publish-k3s`; do not edit.\n";

    /// <summary>The file a user creates next to the manifests for each secret (never checked in: see the .gitignore written here).</summary>
    public static string SecretFile(string secret) => $"{secret}.secret";

    /// <summary>Writes a file of objects outside the kustomization, at <paramref name="relativePath"/> under <paramref name="directory"/>.</summary>
    public static string WriteExtra(string directory, string relativePath, IReadOnlyList<IKubernetesObject> objects)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(directory, relativePath))!);
        return WriteFile(directory, relativePath, Yaml(objects));
    }

    private static string Yaml(IReadOnlyList<IKubernetesObject> objects) =>
        Header + string.Join("---\n", objects.Select(item => KubernetesYaml.Serialize(item).TrimEnd('\n') + "\n"));

    /// <summary>Writes <paramref name="files"/> (name, objects) and the kustomization; removes generated files no longer produced.</summary>
    public static List<string> Write(string directory, IReadOnlyList<(string Name, IReadOnlyList<IKubernetesObject> Objects)> files, IEnumerable<string> secrets)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var (name, objects) in files)
            written.Add(WriteFile(directory, name, Yaml(objects)));

        var kustomization = new StringBuilder(Header)
            .Append("apiVersion: kustomize.config.k8s.io/v1beta1\n")
            .Append("kind: Kustomization\n")
            .Append("resources:\n");
        foreach (var (name, _) in files)
            kustomization.Append("- ").Append(name).Append('\n');
        var secretList = secrets.ToList();
        if (secretList.Count > 0)
        {
            // Secrets are generated at deploy time from files the user creates (docs/k3s.md); the name gets a hash of
            // the contents, so changing a secret rolls the pods that use it.
            kustomization.Append("secretGenerator:\n");
            foreach (var secret in secretList)
            {
                kustomization.Append("- name: ").Append(secret).Append('\n')
                    .Append("  namespace: ").Append(NamespaceOf(files)).Append('\n')
                    .Append("  type: Opaque\n")
                    .Append("  files:\n")
                    .Append("  - ").Append(EnvironmentResolver.SecretKey).Append('=').Append(SecretFile(secret)).Append('\n');
            }
        }
        written.Add(WriteFile(directory, "kustomization.yaml", kustomization.ToString()));
        written.Add(WriteFile(directory, ".gitignore", "# Secrets the user creates before `kubectl apply -k` (docs/k3s.md): never checked in.\n*.secret\n"));

        foreach (var stale in Directory.GetFiles(directory, "*.yaml").Select(Path.GetFileName).Except(written))
        {
            var path = Path.Combine(directory, stale!);
            if (File.ReadLines(path).FirstOrDefault() == Header.TrimEnd('\n'))
                File.Delete(path);
        }
        return written;
    }

    private static string NamespaceOf(IReadOnlyList<(string Name, IReadOnlyList<IKubernetesObject> Objects)> files) =>
        files.SelectMany(file => file.Objects).OfType<V1Namespace>().Single().Metadata.Name;

    private static string WriteFile(string directory, string name, string text)
    {
        File.WriteAllText(Path.Combine(directory, name), text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return name;
    }
}
