namespace MlAspire.Tangle.Learning;

/// <summary>
/// Parameters of one model. Validated on construction: the right length for the shape and every value finite,
/// so a poisoned or corrupt update can never reach averaging or training.
/// </summary>
public sealed class ModelWeights
{
    private readonly float[] _values;

    public ModelWeights(ModelShape shape, float[] values)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != shape.ParameterCount)
            throw new InvalidWeightsException($"Weights have {values.Length} values but shape {shape} needs {shape.ParameterCount}.");
        for (var i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new InvalidWeightsException($"Weight {i} is {values[i]}; every weight must be finite.");
        Shape = shape;
        _values = values;
    }

    public ModelShape Shape { get; }

    public ReadOnlySpan<float> Values => _values;

    /// <summary>A mutable copy for training.</summary>
    public float[] ToArray() => (float[])_values.Clone();
}

/// <summary>Weights that must not be used: wrong shape, non-finite values, corrupt encoding.</summary>
public sealed class InvalidWeightsException(string message) : Exception(message);
