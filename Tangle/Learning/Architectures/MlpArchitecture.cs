namespace MlAspire.Tangle.Learning.Architectures;

internal static class MlpArchitecture
{
    public static ModelArchitecture Architecture { get; } = new("mlp", "one ReLU hidden layer of --hidden units", (sample, classes, hidden) =>
        ModelShape.Of(sample, [.. ModelArchitectures.FlatInput(sample), new("dense", hidden), new("relu"), new("dense", classes)]));
}
