namespace MlAspire.Tangle.Learning.Layers;

/// <summary>The layer kinds a model description may name. Adding one is its file plus one line here.</summary>
internal static class LayerKinds
{
    /// <param name="Arguments">How many numbers follow the name, as in <c>conv2d:5x5x32</c>.</param>
    /// <param name="Bind">Builds the layer for its arguments, its input shape and whether a ReLU follows it.</param>
    private sealed record Kind(string Name, int Arguments, Func<IReadOnlyList<int>, ActivationShape, bool, ILayer> Bind);

    private static readonly Dictionary<string, Kind> ByName = new Kind[]
    {
        new("dense", 1, (a, input, feedsRelu) => new DenseLayer(input, a[0], feedsRelu)),
        new("conv2d", 3, (a, input, _) => new Conv2dLayer(input, a[0], a[1], a[2])),
        new("maxpool", 1, (a, input, _) => new MaxPoolLayer(input, a[0])),
        new("relu", 0, (_, input, _) => new ReluLayer(input)),
        new("flatten", 0, (_, input, _) => new FlattenLayer(input)),
    }.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static string Names => string.Join(", ", ByName.Keys);

    /// <summary>How many arguments <paramref name="name"/> takes, or −1 when no layer has that name.</summary>
    public static int Arguments(string name) => ByName.TryGetValue(name, out var kind) ? kind.Arguments : -1;

    /// <exception cref="ArgumentException">The layer cannot take <paramref name="input"/> or its arguments are out of range.</exception>
    public static ILayer Bind(LayerSpec spec, ActivationShape input, bool feedsRelu) => ByName[spec.Kind].Bind(spec.Arguments, input, feedsRelu);
}
