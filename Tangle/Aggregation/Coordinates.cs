using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>Coordinate-wise aggregation: one value per parameter from the models' values for that parameter.</summary>
internal static class Coordinates
{
    /// <param name="reduce">Gets the models' values for one parameter (a scratch span it may reorder) and returns the result.</param>
    public static ModelWeights Reduce(IReadOnlyList<PublishedModel> models, ColumnReducer reduce)
    {
        var shape = CommonShape(models);
        var result = new float[shape.ParameterCount];
        var column = new float[models.Count];
        for (var p = 0; p < result.Length; p++)
        {
            for (var m = 0; m < models.Count; m++)
                column[m] = models[m].Weights.Values[p];
            result[p] = reduce(column);
        }
        return new ModelWeights(shape, result);
    }

    /// <summary>The one shape all models share.</summary>
    /// <exception cref="ArgumentException">No models.</exception>
    /// <exception cref="InvalidWeightsException">Models of different shapes.</exception>
    public static ModelShape CommonShape(IReadOnlyList<PublishedModel> models)
    {
        if (models.Count == 0) throw new ArgumentException("Cannot aggregate an empty list of models.", nameof(models));
        var shape = models[0].Weights.Shape;
        foreach (var model in models)
            if (model.Weights.Shape != shape)
                throw new InvalidWeightsException($"Cannot aggregate weights of different shapes: {shape} and {model.Weights.Shape}.");
        return shape;
    }

    public delegate float ColumnReducer(Span<float> column);
}
