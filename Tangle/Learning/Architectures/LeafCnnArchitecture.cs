namespace MlAspire.Tangle.Learning.Architectures;

/// <summary>The FEMNIST network of LEAF, which the 2020 prototype trained: about 6.6 M parameters on 28×28 images.</summary>
internal static class LeafCnnArchitecture
{
    /// <summary>Two same-padded 5×5 convolutions of 32 and 64 filters, each followed by a ReLU and a 2×2 max-pool.</summary>
    internal static LayerSpec[] Convolutions { get; } =
        [new("conv2d", 5, 5, 32), new("relu"), new("maxpool", 2), new("conv2d", 5, 5, 64), new("relu"), new("maxpool", 2), new("flatten")];

    public static ModelArchitecture Architecture { get; } = new("leaf-cnn", "conv 5x5x32, pool 2, conv 5x5x64, pool 2, dense 2048", (sample, classes, _) =>
        ModelShape.Of(ModelArchitectures.Image(sample, "leaf-cnn"), [.. Convolutions, new("dense", 2048), new("relu"), new("dense", classes)]));
}
