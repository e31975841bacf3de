namespace MlAspire.Tangle.Learning.Architectures;

/// <summary>The LEAF network's convolutions with a dense layer of 128: about 0.4 M parameters on 28×28 images.</summary>
internal static class SmallCnnArchitecture
{
    public static ModelArchitecture Architecture { get; } = new("small-cnn", "conv 5x5x32, pool 2, conv 5x5x64, pool 2, dense 128", (sample, classes, _) =>
        ModelShape.Of(ModelArchitectures.Image(sample, "small-cnn"), [.. LeafCnnArchitecture.Convolutions, new("dense", 128), new("relu"), new("dense", classes)]));
}
