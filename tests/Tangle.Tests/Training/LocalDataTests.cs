using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Tangle.Tests.Training;

public class LocalDataTests
{
    [Fact]
    public void The_evaluation_memo_stays_bounded_however_many_models_are_scored()
    {
        var shape = ModelShape.LogisticRegression(2, 2);
        var data = SyntheticData.GaussianBlobs(20, 2, 2, 3.0, new Random(1));
        var local = new LocalData(data.Slice(0, 10), data.Slice(10, 10));
        var weights = new ModelWeights(shape, new float[shape.ParameterCount]);
        var first = local.Evaluate("w0", weights);
        for (var i = 1; i < LocalData.MemoCapacity * 3; i++)
            local.Evaluate($"w{i}", weights);
        Assert.InRange(local.Remembered, 1, LocalData.MemoCapacity);
        Assert.Equal(first, local.Evaluate("w0", weights)); // forgotten scores are computed again, the same
    }

    [Fact]
    public void A_score_met_again_before_it_is_dropped_is_kept_when_the_memo_turns_over()
    {
        var shape = ModelShape.LogisticRegression(2, 2);
        var data = SyntheticData.GaussianBlobs(20, 2, 2, 3.0, new Random(1));
        var local = new LocalData(data.Slice(0, 10), data.Slice(10, 10));
        var good = new ModelWeights(shape, [1, 0, 0, 1, 0, 0]);
        var score = local.Evaluate("kept", good);
        for (var i = 0; i < LocalData.MemoCapacity * 3; i++)
        {
            local.Evaluate($"w{i}", new ModelWeights(shape, new float[shape.ParameterCount]));
            if (i % 1000 == 0) // met again now and then, as a walk meets a transaction it crosses often
                Assert.Equal(score, local.Evaluate("kept", new ModelWeights(shape, new float[shape.ParameterCount])));
        }
    }

    [Fact]
    public void A_score_recalled_before_it_is_dropped_is_kept_when_the_memo_turns_over()
    {
        var shape = ModelShape.LogisticRegression(2, 2);
        var data = SyntheticData.GaussianBlobs(20, 2, 2, 3.0, new Random(1));
        var local = new LocalData(data.Slice(0, 10), data.Slice(10, 10));
        var score = local.Evaluate("judged", new ModelWeights(shape, [1, 0, 0, 1, 0, 0]));
        for (var i = 0; i < LocalData.MemoCapacity * 3; i++)
        {
            local.Evaluate($"w{i}", new ModelWeights(shape, new float[shape.ParameterCount]));
            if (i % 1000 == 0) // recalled now and then, as a walk crossing a transaction whose weights left memory does
            {
                Assert.True(local.TryRecall("judged", out var recalled), $"forgotten after {i} newer scores");
                Assert.Equal(score, recalled);
            }
        }
    }
}
