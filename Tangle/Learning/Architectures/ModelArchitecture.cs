namespace MlAspire.Tangle.Learning.Architectures;

/// <summary>A named model: its layers for a sample shape, a class count and, where it has one, a hidden width.</summary>
/// <param name="Build">(sample shape, classes, hidden units) → the model.</param>
public sealed record ModelArchitecture(string Name, string Summary, Func<ActivationShape, int, int, ModelShape> Build);

/// <summary>The named models of settings and the simulator's <c>--model</c>. Adding one is its file plus one line here.</summary>
public static class ModelArchitectures
{
    public static IReadOnlyList<ModelArchitecture> All { get; } =
        [MlpArchitecture.Architecture, LogisticRegressionArchitecture.Architecture, SmallCnnArchitecture.Architecture, LeafCnnArchitecture.Architecture];

    public static string Names => string.Join(" | ", All.Select(a => a.Name));

    /// <summary>
    /// The model named <paramref name="nameOrLayers"/> for the given sample shape, or, when it holds a description
    /// (<c>input:…, …, softmax</c>), that model.
    /// </summary>
    /// <exception cref="FormatException">An unknown name, a malformed description, or a model that cannot take the samples.</exception>
    public static ModelShape Resolve(string nameOrLayers, ActivationShape sample, int classes, int hidden)
    {
        ArgumentNullException.ThrowIfNull(nameOrLayers);
        if (nameOrLayers.Contains(',')) return ModelShape.Parse(nameOrLayers);
        var architecture = All.FirstOrDefault(a => a.Name.Equals(nameOrLayers.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new FormatException($"Unknown model '{nameOrLayers}': expected {Names}, or layers such as 'input:784, dense:64, relu, dense:10, softmax'.");
        return architecture.Build(sample, classes, hidden);
    }

    /// <summary>Layers that make <paramref name="sample"/> flat first when it is an image: what dense models start with.</summary>
    internal static LayerSpec[] FlatInput(ActivationShape sample) => sample.IsFlat ? [] : [new LayerSpec("flatten")];

    /// <summary>An image shape for convolutions: a flat square sample is taken as one greyscale channel.</summary>
    internal static ActivationShape Image(ActivationShape sample, string model)
    {
        if (!sample.IsFlat) return sample;
        var side = (int)Math.Round(Math.Sqrt(sample.Size));
        if (side * side != sample.Size)
            throw new FormatException($"{model} convolves images, but samples of {sample.Size} values are not a square image; give their shape as CxHxW.");
        return new ActivationShape(1, side, side);
    }
}
