using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Tests.Data;

public class SyntheticDataTests
{
    [Fact]
    public void Gaussian_blobs_have_the_requested_shape_and_balanced_classes()
    {
        var data = SyntheticData.GaussianBlobs(90, 5, 3, 2.0, new Random(1));

        Assert.Equal(90, data.Count);
        Assert.Equal(5, data.FeatureCount);
        Assert.Equal(3, data.ClassCount);
        Assert.All(data.Labels.CountBy(l => l), group => Assert.Equal(30, group.Value));
    }

    [Fact]
    public void Gaussian_blobs_are_clustered_around_their_class_centre()
    {
        var data = SyntheticData.GaussianBlobs(3000, 4, 3, 5.0, new Random(2));

        // Noise is N(0, 1) per feature: each class's per-feature spread about its mean is about 1.
        foreach (var members in Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, data.Count).Where(i => data.Labels[i] == c).ToArray()))
            for (var f = 0; f < 4; f++)
            {
                var values = members.Select(i => (double)data.Features[i * 4 + f]).ToArray();
                var mean = values.Average();
                Assert.InRange(Math.Sqrt(values.Average(v => (v - mean) * (v - mean))), 0.9, 1.1);
            }
    }

    [Fact]
    public void Same_seed_gives_the_same_data()
    {
        Assert.Equal(SyntheticData.GaussianBlobs(20, 3, 2, 1, new Random(4)).Features, SyntheticData.GaussianBlobs(20, 3, 2, 1, new Random(4)).Features);
    }
}
