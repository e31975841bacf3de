namespace MlAspire.Tangle.Learning;

/// <summary>One layer as a model description names it: a kind and its numbers, written <c>dense:128</c> or <c>conv2d:5x5x32</c>.</summary>
public sealed record LayerSpec(string Kind, IReadOnlyList<int> Arguments)
{
    public LayerSpec(string kind, params int[] arguments) : this(kind, (IReadOnlyList<int>)arguments) { }

    public override string ToString() => Arguments.Count == 0 ? Kind : $"{Kind}:{string.Join('x', Arguments)}";

    public bool Equals(LayerSpec? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// A layer in its model: what it takes and gives, and where its parameters lie among the model's
/// (its <paramref name="WeightCount"/> weights first, then its biases).
/// </summary>
public sealed record LayerPlacement(LayerSpec Spec, ActivationShape Input, ActivationShape Output, int ParameterOffset, int ParameterCount, int WeightCount);
