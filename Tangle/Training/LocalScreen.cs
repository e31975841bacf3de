using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Training;

/// <summary>
/// Leaves out models that do significantly worse on a peer's own test data than the best of a set: the margin is a
/// number of standard errors of the difference between two accuracies on that many samples, plus one sample, so a
/// peer with a dozen test samples screens only gross failures and one with hundreds screens a few points.
/// </summary>
public static class LocalScreen
{
    public static List<T> KeepComparable<T>(IReadOnlyList<T> models, Func<T, Evaluation> evaluate, int testCount, double standardErrors)
    {
        if (standardErrors <= 0 || models.Count < 2)
            return [.. models];
        var scored = models.Select(m => (Model: m, evaluate(m).Accuracy)).ToList();
        var best = scored.Max(s => s.Accuracy);
        var margin = standardErrors * Math.Sqrt(2 * best * (1 - best) / testCount) + 1.0 / testCount;
        return [.. scored.Where(s => s.Accuracy >= best - margin).Select(s => s.Model)];
    }
}
