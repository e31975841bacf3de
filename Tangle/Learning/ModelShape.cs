using System.Globalization;
using MlAspire.Tangle.Learning.Layers;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// A model as a list of layers, written as one description such as
/// <c>input:784, dense:64, relu, dense:10, softmax</c>: the input's shape, the layers in order, and the softmax
/// cross-entropy head that must end every model. Two weights are compatible only when their descriptions are equal.
/// Descriptions arrive in weights from other peers, so parsing bounds their length, layers, activations and parameters.
/// </summary>
public sealed class ModelShape : IEquatable<ModelShape>
{
    public const int MaxDescriptionLength = 1024;
    public const int MaxLayers = 64;

    /// <summary>Most parameters a model may have (256 MiB as float32); the LEAF network has 6.6 M.</summary>
    public const int MaxParameters = 1 << 26;

    /// <summary>Most activations of all layers together for one sample (16 MiB as floats; the LEAF network has 0.1 M): training holds them all for a batch.</summary>
    public const int MaxActivations = 1 << 22;

    /// <summary>Most multiply-adds of one sample's forward pass (the LEAF network has 17 M).</summary>
    public const long MaxMultiplyAdds = 1L << 32;

    private const string InputKind = "input";
    private const string HeadKind = "softmax";

    private ModelShape(ActivationShape input, IReadOnlyList<LayerSpec> layers)
    {
        Input = input;
        Layers = layers;
        Description = string.Join(", ", [$"{InputKind}:{input}", .. layers.Select(l => l.ToString()), HeadKind]);
        var bound = new ILayer[layers.Count];
        var placements = new LayerPlacement[layers.Count];
        var shape = input;
        long parameters = 0, multiplyAdds = 0, firstTrainableMultiplyAdds = -1, activations = input.Size;
        for (var i = 0; i < layers.Count; i++)
        {
            var feedsRelu = i + 1 < layers.Count && layers[i + 1].Kind == "relu";
            try
            {
                bound[i] = LayerKinds.Bind(layers[i], shape, feedsRelu);
            }
            catch (ArgumentException e)
            {
                throw Invalid(Description, $"layer {i + 1} ({layers[i]}) cannot follow {shape}: {e.Message}");
            }
            catch (OverflowException)
            {
                throw Invalid(Description, $"layer {i + 1} ({layers[i]}) has more than {MaxParameters:N0} parameters.");
            }
            placements[i] = new LayerPlacement(layers[i], shape, bound[i].Output, (int)parameters, bound[i].ParameterCount, bound[i].WeightCount);
            shape = bound[i].Output;
            if (shape.Channels <= 0 || (long)shape.Channels * shape.Height * shape.Width > ActivationShape.MaxSize)
                throw Invalid(Description, $"layer {i + 1} ({layers[i]}) outputs {shape}, more than {ActivationShape.MaxSize:N0} values a sample.");
            parameters += bound[i].ParameterCount;
            multiplyAdds += bound[i].ForwardMultiplyAdds;
            activations += shape.Size;
            if (activations > MaxActivations)
                throw Invalid(Description, $"its layers hold more than {MaxActivations:N0} activations a sample, by layer {i + 1} ({layers[i]}).");
            if (multiplyAdds > MaxMultiplyAdds)
                throw Invalid(Description, $"a sample's forward pass takes more than {MaxMultiplyAdds:N0} multiply-adds, by layer {i + 1} ({layers[i]}).");
            if (firstTrainableMultiplyAdds < 0 && bound[i].ParameterCount > 0) firstTrainableMultiplyAdds = bound[i].ForwardMultiplyAdds;
            if (parameters > MaxParameters)
                throw Invalid(Description, $"more than {MaxParameters:N0} parameters.");
        }
        if (parameters == 0)
            throw Invalid(Description, "no layer has parameters, so there is nothing to learn: add a dense or conv2d layer.");
        if (!shape.IsFlat || shape.Size < 2)
            throw Invalid(Description, $"the softmax head needs a flat output of at least 2 classes, but the last layer outputs {shape}.");
        Bound = bound;
        Placements = placements;
        Classes = shape.Size;
        ParameterCount = (int)parameters;
        ForwardMultiplyAdds = multiplyAdds;
        TrainingMultiplyAdds = 3 * multiplyAdds - Math.Max(0, firstTrainableMultiplyAdds);
    }

    public ActivationShape Input { get; }

    /// <summary>The layers between the input and the softmax head.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>The canonical text: what the weight format, the genesis and the Bootstrap's settings carry.</summary>
    public string Description { get; }

    public int Inputs => Input.Size;

    public int Classes { get; }

    public int ParameterCount { get; }

    /// <summary>Multiply-adds of one sample's forward pass.</summary>
    public long ForwardMultiplyAdds { get; }

    /// <summary>
    /// Multiply-adds of one sample's training step: the forward pass, then weight gradients and input gradients as many
    /// again each, except the input gradient of the first layer with parameters, which nothing needs.
    /// </summary>
    public long TrainingMultiplyAdds { get; }

    /// <summary>Each layer with its shapes and its parameters' place among the model's.</summary>
    public IReadOnlyList<LayerPlacement> Placements { get; }

    internal IReadOnlyList<ILayer> Bound { get; }

    /// <exception cref="FormatException">The description is malformed or its layers do not fit together; the message says where.</exception>
    public static ModelShape Parse(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (description.Length > MaxDescriptionLength)
            throw Invalid(description[..40] + "…", $"{description.Length} characters, more than {MaxDescriptionLength}.");
        var items = description.Split(',', StringSplitOptions.TrimEntries);
        if (items.Length > MaxLayers + 2)
            throw Invalid(description, $"{items.Length - 2} layers, more than {MaxLayers}.");
        if (items.Length < 2 || !items[0].StartsWith(InputKind + ":", StringComparison.Ordinal) || items[^1] != HeadKind)
            throw Invalid(description, $"it must start with {InputKind}:SHAPE and end with {HeadKind}.");
        ActivationShape input;
        try
        {
            input = ActivationShape.Parse(items[0][(InputKind.Length + 1)..]);
        }
        catch (FormatException e)
        {
            throw Invalid(description, e.Message);
        }
        return new ModelShape(input, [.. items[1..^1].Select(item => ParseLayer(description, item))]);
    }

    /// <summary>The model of these layers on <paramref name="input"/>, with the softmax head after them.</summary>
    public static ModelShape Of(ActivationShape input, params LayerSpec[] layers) => Parse(
        string.Join(", ", [$"{InputKind}:{input}", .. layers.Select(l => l.ToString()), HeadKind]));

    public static ModelShape LogisticRegression(int inputs, int classes) => Of(ActivationShape.Flat(inputs), new LayerSpec("dense", classes));

    public static ModelShape Mlp(int inputs, int hidden, int classes) =>
        Of(ActivationShape.Flat(inputs), new LayerSpec("dense", hidden), new LayerSpec("relu"), new LayerSpec("dense", classes));

    public bool Equals(ModelShape? other) => other is not null && Description == other.Description;

    public override bool Equals(object? obj) => Equals(obj as ModelShape);

    public override int GetHashCode() => Description.GetHashCode(StringComparison.Ordinal);

    public static bool operator ==(ModelShape? left, ModelShape? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(ModelShape? left, ModelShape? right) => !(left == right);

    public override string ToString() => Description;

    private static LayerSpec ParseLayer(string description, string item)
    {
        var colon = item.IndexOf(':');
        var kind = colon < 0 ? item : item[..colon];
        var expected = LayerKinds.Arguments(kind);
        if (expected < 0)
            throw Invalid(description, $"unknown layer '{kind}'; layers are {LayerKinds.Names}.");
        var arguments = colon < 0 ? [] : item[(colon + 1)..].Split('x');
        var values = arguments.Select(a => int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 1 << 16 ? v : -1).ToArray();
        if (values.Length != expected || values.Any(v => v < 0))
            throw Invalid(description, $"'{item}' needs {expected} number{(expected == 1 ? "" : "s")} from 1 to 65536{(expected > 1 ? ", joined by x" : "")}.");
        return new LayerSpec(kind, values);
    }

    private static FormatException Invalid(string description, string problem) => new($"Model '{description}': {problem}");
}
