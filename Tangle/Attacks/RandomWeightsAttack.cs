using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Attacks;

/// <summary>Publishes Gaussian noise in place of a model: the crudest poisoning, and the one averaging suffers most from.</summary>
public sealed class RandomWeightsAttack(double standardDeviation = 1.0) : IAttack
{
    public string Name => "random";

    public ModelWeights PoisonUpdate(ModelWeights trained, ModelWeights start, Random random)
    {
        var values = new float[trained.Shape.ParameterCount];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(Sampling.NextGaussian(random) * standardDeviation);
        return new ModelWeights(trained.Shape, values);
    }
}
