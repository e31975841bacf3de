using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace MlAspire.Deploy.Tests;

/// <summary>A document of a manifest file as a JSON tree (every scalar a string, as YAML wrote it).</summary>
public sealed record Document(string File, int Index, string Text, JsonObject Tree)
{
    public string Kind => (string)Tree["kind"]!;

    public string Name => (string)Tree["metadata"]!["name"]!;

    public override string ToString() => $"{File}#{Index} {Kind}/{Name}";

    /// <summary>The pod template of a Deployment or StatefulSet.</summary>
    public JsonObject? PodSpec => Kind is "Deployment" or "StatefulSet" ? Tree["spec"]!["template"]!["spec"]!.AsObject() : null;

    public IEnumerable<JsonObject> Containers => PodSpec?["containers"]?.AsArray().Select(node => node!.AsObject()) ?? [];
}

/// <summary>The manifests of a publication folder, every document parsed.</summary>
public sealed class Manifests
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();
    private static readonly ISerializer Json = new SerializerBuilder().JsonCompatible().Build();

    public required string Folder { get; init; }

    public required IReadOnlyList<Document> Documents { get; init; }

    public static Manifests Load(string folder) => new()
    {
        Folder = folder,
        Documents = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal)
            .Where(file => Path.GetFileName(file) != "kustomization.yaml")
            .SelectMany(file => Split(File.ReadAllText(file)).Select((text, index) => new Document(Path.GetFileName(file), index, text, Parse(text))))
            .ToList(),
    };

    public IEnumerable<Document> Workloads => Documents.Where(document => document.PodSpec is not null);

    public Document Single(string kind, string name) => Documents.Single(document => document.Kind == kind && document.Name == name);

    public static JsonObject Parse(string yaml) => JsonNode.Parse(Json.Serialize(Yaml.Deserialize<object>(yaml)!))!.AsObject();

    /// <summary>Each document of a multi-document YAML text, re-serialized on its own.</summary>
    public static IEnumerable<string> Split(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var serializer = new SerializerBuilder().Build();
        while (parser.Accept<DocumentStart>(out _))
        {
            var value = Yaml.Deserialize<object>(parser);
            if (value is not null)
                yield return serializer.Serialize(value);
        }
    }

    /// <summary>The value of an environment variable of a container (null when unset or taken from elsewhere).</summary>
    public static string? Env(JsonObject container, string name) =>
        container["env"]?.AsArray().Select(node => node!.AsObject()).FirstOrDefault(env => (string?)env["name"] == name)?["value"]?.GetValue<string>();

    public static IEnumerable<JsonObject> EnvVars(JsonObject container) =>
        container["env"]?.AsArray().Select(node => node!.AsObject()) ?? [];

    public static IEnumerable<(string Name, int Port)> Ports(JsonObject container) =>
        container["ports"]?.AsArray().Select(node => ((string)node!["name"]!, int.Parse((string)node["containerPort"]!))) ?? [];
}
