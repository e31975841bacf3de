using System.Numerics.Tensors;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Krum (Blanchard et al. 2017): the one model whose n − f − 2 nearest others are closest to it (sum of squared
/// distances). With at most f poisoned models among n &gt; 2f + 2, the chosen model lies
/// among the honest ones.
/// </summary>
public sealed class KrumAggregator : IAggregator
{
    public const int DefaultByzantine = 1;

    private readonly int _byzantine;

    /// <param name="byzantine">f, how many models may be poisoned.</param>
    public KrumAggregator(int byzantine = DefaultByzantine) => _byzantine = CheckedByzantine(byzantine);

    internal static int CheckedByzantine(int byzantine) =>
        byzantine >= 0 ? byzantine : throw new ArgumentException($"f is {byzantine}; it must not be negative");

    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models) => models[Ranked(models, _byzantine)[0]].Weights;

    /// <summary>
    /// The models' indices, lowest Krum score first. With too few models for f (n ≤ 2f + 2) each is scored against its
    /// nearest other, so the rule still prefers models that agree with some other.
    /// </summary>
    internal static IReadOnlyList<int> Ranked(IReadOnlyList<PublishedModel> models, int byzantine)
    {
        Coordinates.CommonShape(models);
        var n = models.Count;
        var distances = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                var d = TensorPrimitives.Distance(models[i].Weights.Values, models[j].Weights.Values);
                distances[i, j] = distances[j, i] = (double)d * d;
            }
        var neighbours = Math.Max(1, n - byzantine - 2);
        var scores = Enumerable.Range(0, n)
            .Select(i => Enumerable.Range(0, n).Where(j => j != i).Select(j => distances[i, j]).Order().Take(neighbours).Sum())
            .ToArray();
        return [.. Enumerable.Range(0, n).OrderBy(i => scores[i]).ThenBy(i => i)];
    }
}
