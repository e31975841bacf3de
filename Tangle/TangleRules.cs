using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle;

/// <summary>
/// The rules of one tangle that every peer follows and enforces: the model every transaction's weights must have, the
/// most parents a transaction may approve, and how often a member may publish. The Bootstrap publishes them; this record
/// is their one definition, from configuration to the wire to each replica.
/// </summary>
/// <param name="TrainingInterval">How often a member considers a training step; the publishing rate limits derive from it.</param>
/// <param name="WeightPrecision">How members publish weights: float32, or float16 at half the size (peers read both).</param>
public sealed record TangleRules(ModelShape Model, int MaxParents, TimeSpan TrainingInterval, WeightPrecision WeightPrecision = WeightPrecision.Float32)
{
    /// <summary>
    /// Largest weights blob a transaction may link: one file root's 174 chunks of 256 KiB (Storage's UnixFsFile.MaxBytes),
    /// 43.5 MiB; each block stays far below the 1 MiB bitswap moves whole.
    /// </summary>
    public const int MaxWeightsBytes = 174 * (256 << 10);

    /// <summary>
    /// The size of every weights file of this tangle: its model at its precision, in weight format version 2. Weights
    /// written in version 1 (a 56-byte header, no description) are smaller, so this bounds them too.
    /// </summary>
    public long WeightsBytes => WeightCodec.EncodedSize(Model, WeightPrecision);

    public TangleRules Validated() =>
        MaxParents < 1 ? throw new ArgumentException($"MaxParents is {MaxParents}; it must be at least 1.")
        : WeightsBytes is var size && size > MaxWeightsBytes
            ? throw new ArgumentException($"The model's weights take {size:N0} bytes as {WeightPrecision}, more than the {MaxWeightsBytes:N0} a transaction's weights may hold: {Model} has {Model.ParameterCount:N0} parameters.")
        : TrainingInterval <= TimeSpan.Zero ? throw new ArgumentException($"TrainingInterval is {TrainingInterval}; it must be positive.")
        : this;
}
