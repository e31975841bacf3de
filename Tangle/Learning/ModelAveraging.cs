using System.Numerics.Tensors;

namespace MlAspire.Tangle.Learning;

public static class ModelAveraging
{
    /// <summary>
    /// The weighted average Σ cᵢ·wᵢ / Σ cᵢ of <paramref name="weights"/>; equal coefficients when
    /// <paramref name="coefficients"/> is null. Coefficients must be non-negative with a positive sum.
    /// </summary>
    public static ModelWeights Average(IReadOnlyList<ModelWeights> weights, IReadOnlyList<double>? coefficients = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0) throw new ArgumentException("Cannot average an empty list of weights.", nameof(weights));
        var shape = weights[0].Shape;
        for (var i = 1; i < weights.Count; i++)
            if (weights[i].Shape != shape)
                throw new InvalidWeightsException($"Cannot average weights of different shapes: weights[0] is {shape} but weights[{i}] is {weights[i].Shape}.");

        var total = 0.0;
        if (coefficients is not null)
        {
            if (coefficients.Count != weights.Count)
                throw new ArgumentException($"Got {coefficients.Count} coefficients for {weights.Count} weights.", nameof(coefficients));
            foreach (var c in coefficients)
            {
                if (!double.IsFinite(c) || c < 0)
                    throw new ArgumentException($"Coefficient {c} is invalid; coefficients must be finite and non-negative.", nameof(coefficients));
                total += c;
            }
            if (total <= 0) throw new ArgumentException("Coefficients sum to zero.", nameof(coefficients));
        }

        var sum = new float[shape.ParameterCount];
        for (var i = 0; i < weights.Count; i++)
        {
            var share = coefficients is null ? 1.0 / weights.Count : coefficients[i] / total;
            TensorPrimitives.MultiplyAdd(weights[i].Values, (float)share, sum, sum);
        }
        return new ModelWeights(shape, sum);
    }
}
