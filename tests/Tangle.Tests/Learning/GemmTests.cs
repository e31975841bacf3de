using MlAspire.Tangle.Learning.Layers;

namespace MlAspire.Tangle.Tests.Learning;

public class GemmTests
{
    public enum Routine { Plain, TransposedA, TransposedB }

    // Below, at and above the vector widths (8 and 16 floats) and tile sizes (6 rows, 16 or 32 columns).
    private static readonly int[] AwkwardSizes = [1, 3, 7, 17, 33, 65, 130];

    [Theory]
    [InlineData(Routine.Plain, false)]
    [InlineData(Routine.Plain, true)]
    [InlineData(Routine.TransposedA, false)]
    [InlineData(Routine.TransposedA, true)]
    [InlineData(Routine.TransposedB, false)]
    [InlineData(Routine.TransposedB, true)]
    public void Every_shape_matches_a_naive_triple_loop(Routine routine, bool accumulate)
    {
        var random = new Random((int)routine * 2 + (accumulate ? 1 : 0));
        foreach (var m in AwkwardSizes)
            foreach (var k in AwkwardSizes)
                foreach (var n in AwkwardSizes)
                    AssertMatchesNaive(routine, m, k, n, accumulate, random);
    }

    [Theory]
    [InlineData(Routine.Plain)]
    [InlineData(Routine.TransposedA)]
    [InlineData(Routine.TransposedB)]
    public void Products_spanning_several_cache_blocks_in_every_dimension_match_a_naive_triple_loop(Routine routine) =>
        AssertMatchesNaive(routine, 200, 600, 1100, accumulate: true, new Random(7));

    [Fact]
    public void An_empty_depth_clears_the_product_or_leaves_it_to_accumulate()
    {
        var c = new[] { 1f, 2f, 3f, 4f };
        Gemm.Multiply([], [], c, 2, 0, 2, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f], c);
        Gemm.Multiply([], [], c, 2, 0, 2, accumulate: false);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    [Fact]
    public void Spans_too_short_for_the_shape_are_rejected() =>
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], new float[4], 2, 3, 2, accumulate: false));

    private static void AssertMatchesNaive(Routine routine, int m, int k, int n, bool accumulate, Random random)
    {
        var a = Fill(m * k, random);
        var b = Fill(k * n, random);
        var initial = Fill(m * n, random);
        // Without accumulate, whatever C held must not leak into the product.
        var c = accumulate ? (float[])initial.Clone() : Enumerable.Repeat(float.NaN, m * n).ToArray();
        Func<int, int, float> elementA, elementB;
        switch (routine)
        {
            case Routine.Plain:
                Gemm.Multiply(a, b, c, m, k, n, accumulate);
                (elementA, elementB) = ((i, p) => a[i * k + p], (p, j) => b[p * n + j]);
                break;
            case Routine.TransposedA:
                Gemm.MultiplyTransposedA(a, b, c, m, k, n, accumulate);
                (elementA, elementB) = ((i, p) => a[p * m + i], (p, j) => b[p * n + j]);
                break;
            default:
                Gemm.MultiplyTransposedB(a, b, c, m, k, n, accumulate);
                (elementA, elementB) = ((i, p) => a[i * k + p], (p, j) => b[j * k + p]);
                break;
        }

        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                double sum = accumulate ? initial[i * n + j] : 0, magnitude = Math.Abs(sum);
                for (var p = 0; p < k; p++)
                {
                    var term = (double)elementA(i, p) * elementB(p, j);
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                // Relative to the sum of magnitudes: float rounding scales with it, not with a sum that may cancel.
                var actual = c[i * n + j];
                Assert.True(Math.Abs(actual - sum) <= 1e-4 * magnitude + 1e-7,
                    $"{routine} {m}×{k}×{n}, accumulate {accumulate}: C[{i},{j}] = {actual}, expected {sum}.");
            }
    }

    private static float[] Fill(int count, Random random) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
}
