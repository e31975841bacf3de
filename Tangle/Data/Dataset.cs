namespace MlAspire.Tangle.Data;

/// <summary>
/// Labelled samples, features stored row-major in one array (sample i is
/// <c>Features[i*FeatureCount .. (i+1)*FeatureCount)</c>). Immutable by convention: nothing writes to the arrays after construction.
/// </summary>
public sealed class Dataset
{
    public Dataset(float[] features, byte[] labels, int featureCount, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount));
        if (features.Length != labels.Length * featureCount)
            throw new ArgumentException($"Expected {labels.Length * featureCount} features for {labels.Length} samples of {featureCount}, got {features.Length}.", nameof(features));
        foreach (var label in labels)
            if (label >= classCount) throw new ArgumentException($"Label {label} is outside 0..{classCount - 1}.", nameof(labels));
        Features = features;
        Labels = labels;
        FeatureCount = featureCount;
        ClassCount = classCount;
    }

    public float[] Features { get; }
    public byte[] Labels { get; }
    public int FeatureCount { get; }
    public int ClassCount { get; }
    public int Count => Labels.Length;

    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>A copy holding the samples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Subset(IReadOnlyList<int> indices)
    {
        var features = new float[indices.Count * FeatureCount];
        var labels = new byte[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            Sample(indices[i]).CopyTo(features.AsSpan(i * FeatureCount, FeatureCount));
            labels[i] = Labels[indices[i]];
        }
        return new Dataset(features, labels, FeatureCount, ClassCount);
    }

    /// <summary>All samples of <paramref name="parts"/>, in order; they must agree on features and classes.</summary>
    public static Dataset Concat(IReadOnlyList<Dataset> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("Nothing to concatenate.", nameof(parts));
        var first = parts[0];
        if (parts.Any(p => p.FeatureCount != first.FeatureCount || p.ClassCount != first.ClassCount))
            throw new ArgumentException("Datasets with different feature or class counts cannot be concatenated.", nameof(parts));
        return new Dataset(parts.SelectMany(p => p.Features).ToArray(), parts.SelectMany(p => p.Labels).ToArray(), first.FeatureCount, first.ClassCount);
    }

    /// <summary>The samples in [start, start+count).</summary>
    public Dataset Slice(int start, int count) => Subset(Enumerable.Range(start, count).ToArray());

    /// <summary>The same samples with labels mapped through <paramref name="map"/> (used by label-flipping attackers).</summary>
    public Dataset WithLabels(Func<byte, byte> map) => new(Features, Labels.Select(map).ToArray(), FeatureCount, ClassCount);
}
