using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Tests.Training;

public class LocalScreenTests
{
    private static readonly double[] Accuracies = [0.92, 0.91, 0.85];

    private static List<double> Keep(int testCount, double standardErrors) =>
        LocalScreen.KeepComparable(Accuracies, a => new Evaluation(1 - a, a), testCount, standardErrors);

    [Fact]
    public void A_model_several_points_below_the_best_is_left_out_where_the_test_set_can_tell()
    {
        // 800 local test samples: the margin is 2 · √(2 · 0.92 · 0.08 / 800) + 1/800 ≈ 2.8 points.
        Assert.Equal([0.92, 0.91], Keep(800, 2));
    }

    [Fact]
    public void On_a_dozen_test_samples_only_gross_failures_are_left_out()
    {
        // 12 samples: the margin is about 30 points, so 7 points below the best is noise.
        Assert.Equal(Accuracies, Keep(12, 2));
        Assert.Equal([0.9, 0.8], LocalScreen.KeepComparable([0.9, 0.8, 0.1], a => new Evaluation(1 - a, a), 12, 2));
    }

    [Fact]
    public void Zero_standard_errors_keeps_everything()
    {
        Assert.Equal(Accuracies, Keep(800, 0));
        Assert.Single(LocalScreen.KeepComparable([0.1], a => new Evaluation(1 - a, a), 800, 2));
    }
}
