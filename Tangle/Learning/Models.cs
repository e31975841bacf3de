namespace MlAspire.Tangle.Learning;

public static class Models
{
    /// <summary>The model for <paramref name="shape"/>; models are stateless, so callers may share the instance.</summary>
    public static IModel Create(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return shape.Architecture switch
        {
            ModelArchitecture.LogisticRegression when shape.Hidden == 0 => new LogisticRegression(shape.Inputs, shape.Classes),
            ModelArchitecture.LogisticRegression => throw new ArgumentException($"Logistic regression has no hidden layer, but {shape} has Hidden = {shape.Hidden}.", nameof(shape)),
            ModelArchitecture.Mlp => new Mlp(shape.Inputs, shape.Hidden, shape.Classes),
            _ => throw new ArgumentException($"Unknown architecture {shape.Architecture}.", nameof(shape)),
        };
    }
}
