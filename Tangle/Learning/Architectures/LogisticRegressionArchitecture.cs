namespace MlAspire.Tangle.Learning.Architectures;

internal static class LogisticRegressionArchitecture
{
    public static ModelArchitecture Architecture { get; } = new("logreg", "multinomial logistic regression", (sample, classes, _) =>
        ModelShape.Of(sample, [.. ModelArchitectures.FlatInput(sample), new("dense", classes)]));
}
