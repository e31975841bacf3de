using System.Numerics;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Coordinate-wise aggregation by order statistics: for each parameter, the models' values for it are sorted and
/// combined with one weight per rank (the median weighs the middle, the trimmed mean the middle ranks evenly).
/// </summary>
/// <remarks>
/// Sorting is done for a whole vector of parameters at once with a sorting network of min/max operations rather than
/// sorting each parameter's column. Batcher's network costs about n·log²(n)/4 comparators for a power of two (a
/// pruned one somewhat more); past <see cref="NetworkLimit"/> models each column is sorted instead.
/// </remarks>
internal static class Coordinates
{
    internal const int NetworkLimit = 48;

    /// <param name="rankWeights">The weight of each rank, lowest value first; as many as there are models.</param>
    public static ModelWeights CombineRanks(IReadOnlyList<PublishedModel> models, float[] rankWeights) =>
        CombineRanks(models, [rankWeights])[0];

    /// <summary>Several combinations of the same sorted values, for the price of one sort.</summary>
    /// <param name="rankWeights">Per result, the weight of each rank, lowest value first; as many as there are models.</param>
    public static ModelWeights[] CombineRanks(IReadOnlyList<PublishedModel> models, float[][] rankWeights)
    {
        var shape = CommonShape(models);
        foreach (var weights in rankWeights)
            if (weights.Length != models.Count)
                throw new ArgumentException($"Got {weights.Length} rank weights for {models.Count} models.", nameof(rankWeights));
        var results = rankWeights.Select(_ => new float[shape.ParameterCount]).ToArray();
        var start = models.Count <= NetworkLimit && Vector.IsHardwareAccelerated ? CombineVectors(models, rankWeights, results) : 0;
        var column = new float[models.Count];
        for (var p = start; p < shape.ParameterCount; p++)
        {
            for (var m = 0; m < models.Count; m++)
                column[m] = models[m].Weights.Values[p];
            column.AsSpan().Sort();
            for (var k = 0; k < results.Length; k++)
            {
                var sum = 0f;
                for (var r = 0; r < column.Length; r++)
                    sum += rankWeights[k][r] * column[r];
                results[k][p] = sum;
            }
        }
        return [.. results.Select(values => new ModelWeights(shape, values))];
    }

    /// <summary>Fills whole vectors of the results; returns where the scalar remainder starts.</summary>
    private static int CombineVectors(IReadOnlyList<PublishedModel> models, float[][] rankWeights, float[][] results)
    {
        var lanes = Vector<float>.Count;
        var n = models.Count;
        var column = new Vector<float>[n];
        var network = SortingNetworks[n];
        var p = 0;
        for (; p + lanes <= results[0].Length; p += lanes)
        {
            for (var m = 0; m < n; m++)
                column[m] = new Vector<float>(models[m].Weights.Values.Slice(p, lanes));
            foreach (var (i, j) in network)
            {
                var low = Vector.Min(column[i], column[j]);
                column[j] = Vector.Max(column[i], column[j]);
                column[i] = low;
            }
            for (var k = 0; k < results.Length; k++)
            {
                var sum = Vector<float>.Zero;
                for (var r = 0; r < n; r++)
                    if (rankWeights[k][r] != 0)
                        sum += column[r] * rankWeights[k][r];
                sum.CopyTo(results[k], p);
            }
        }
        return p;
    }

    /// <summary>For each count of models up to <see cref="NetworkLimit"/>, the comparators that sort that many values.</summary>
    private static readonly (int Low, int High)[][] SortingNetworks = [.. Enumerable.Range(0, NetworkLimit + 1).Select(OddEvenMergeSort)];

    /// <summary>
    /// Batcher's odd-even merge sort for <paramref name="count"/> values: the network for the next power of two, less
    /// every comparator that touches a position past the last value. Those positions would hold +∞, which never moves,
    /// so what is left sorts the values alone. It takes 19 comparators for 8 values and 63 for 16, where the
    /// odd-even transposition sort took 28 and 120.
    /// </summary>
    internal static (int Low, int High)[] OddEvenMergeSort(int count)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(count, 1));
        var comparators = new List<(int, int)>();
        for (var p = 1; p < size; p <<= 1)
            for (var k = p; k >= 1; k >>= 1)
                for (var j = k % p; j + k < size; j += 2 * k)
                    for (var i = 0; i < Math.Min(k, size - j - k); i++)
                        if ((i + j) / (2 * p) == (i + j + k) / (2 * p) && i + j + k < count)
                            comparators.Add((i + j, i + j + k));
        return [.. comparators];
    }

    /// <summary>The one shape all models share.</summary>
    /// <exception cref="ArgumentException">No models.</exception>
    /// <exception cref="InvalidWeightsException">Models of different shapes.</exception>
    public static ModelShape CommonShape(IReadOnlyList<PublishedModel> models)
    {
        if (models.Count == 0) throw new ArgumentException("Cannot aggregate an empty list of models.", nameof(models));
        var shape = models[0].Weights.Shape;
        foreach (var model in models)
            if (model.Weights.Shape != shape)
                throw new InvalidWeightsException($"Cannot aggregate weights of different shapes: {shape} and {model.Weights.Shape}.");
        return shape;
    }
}
