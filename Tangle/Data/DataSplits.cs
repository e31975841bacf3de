namespace MlAspire.Tangle.Data;

public static class DataSplits
{
    /// <summary>Share of a single set that is the train pool; the rest is held out.</summary>
    public const double TrainPoolFraction = 0.8;

    /// <summary>Project convention for the 10,000 MNIST test digits: the first 8,000 are the train pool, the last 2,000 held out (<see cref="TrainPoolSize"/> of 10,000).</summary>
    public const int MnistTrainPoolSize = 8000;

    /// <summary>How many of <paramref name="count"/> samples are the train pool: <see cref="TrainPoolFraction"/> of them, rounded.</summary>
    public static int TrainPoolSize(int count) => (int)Math.Round(TrainPoolFraction * count);

    /// <summary>The first <paramref name="trainCount"/> samples as the train pool and the rest as a held-out test set no peer trains on.</summary>
    public static (Dataset Train, Dataset Test) HoldOut(Dataset all, int trainCount)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentOutOfRangeException.ThrowIfNegative(trainCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trainCount, all.Count);
        return (all.Slice(0, trainCount), all.Slice(trainCount, all.Count - trainCount));
    }

    /// <summary>
    /// A peer's own shuffled split into local train and test sets, about <paramref name="testFraction"/> of it for testing.
    /// With two or more samples both sides get at least one, since a peer needs both to train and to judge models.
    /// </summary>
    public static (Dataset Train, Dataset Test) LocalSplit(Dataset peerData, double testFraction, Random random)
    {
        ArgumentNullException.ThrowIfNull(peerData);
        var (train, test) = LocalSplit(peerData.Count, testFraction, random);
        return (peerData.Subset(train), peerData.Subset(test));
    }

    /// <summary>
    /// <see cref="LocalSplit(Dataset, double, Random)"/> by position: which of <paramref name="count"/> samples train and
    /// which test, for callers that hold only labels (the Bootstrap sizing a slot's training set).
    /// </summary>
    public static (int[] Train, int[] Test) LocalSplit(int count, double testFraction, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "Test fraction must be strictly between 0 and 1.");

        var testCount = (int)Math.Round(count * testFraction, MidpointRounding.AwayFromZero);
        if (count >= 2) testCount = Math.Clamp(testCount, 1, count - 1);
        else testCount = 0;

        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        random.Shuffle(order);
        return (order[testCount..], order[..testCount]);
    }
}
