using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Attacks;

/// <summary>Publishes start + factor × (trained − start): an honest-looking direction blown up to dominate any average.</summary>
public sealed class ScaledUpdateAttack(double factor = 10.0) : IAttack
{
    public string Name => $"scale x{factor}";

    public ModelWeights PoisonUpdate(ModelWeights trained, ModelWeights start, Random random) => Scale(trained, start, factor);

    /// <summary>start + factor × (trained − start).</summary>
    internal static ModelWeights Scale(ModelWeights trained, ModelWeights start, double factor)
    {
        var values = trained.ToArray();
        var origin = start.Values;
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(origin[i] + factor * (values[i] - origin[i]));
        return new ModelWeights(trained.Shape, values);
    }
}
