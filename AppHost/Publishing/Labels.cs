namespace MlAspire.AppHost.Publishing;

/// <summary>Kubernetes' recommended app.kubernetes.io/* labels.</summary>
internal static class Labels
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string Component = "app.kubernetes.io/component";
    public const string Version = "app.kubernetes.io/version";
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public const string System = "mlaspire";

    /// <summary>What a selector matches: stable across upgrades (no version).</summary>
    public static Dictionary<string, string> Selector(string name) => new()
    {
        [Name] = name,
        [Instance] = System,
    };

    public static Dictionary<string, string> For(string name, string component, string version) => new()
    {
        [Name] = name,
        [Instance] = System,
        [PartOf] = System,
        [Component] = component,
        [Version] = version,
        [ManagedBy] = "mlaspire-apphost",
    };
}
