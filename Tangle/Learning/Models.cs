namespace MlAspire.Tangle.Learning;

public static class Models
{
    /// <summary>The model for <paramref name="shape"/>; models are stateless, so callers may share the instance.</summary>
    public static IModel Create(ModelShape shape) => new SequentialModel(shape);
}
