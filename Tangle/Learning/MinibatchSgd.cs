using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Learning;

/// <summary>The epoch/minibatch loop shared by both models; the per-batch update is the model's.</summary>
internal static class MinibatchSgd
{
    /// <param name="batch">Indices of the samples in this minibatch.</param>
    /// <param name="weightScale">Factor to multiply weight matrices by first: 1 − lr·decay, the L2 step.</param>
    /// <param name="gradientStep">Factor for each sample's gradient: −lr / batch size, so the batch gradient is averaged.</param>
    public delegate void BatchUpdate(ReadOnlySpan<int> batch, float weightScale, float gradientStep);

    /// <summary>Runs the epochs; <paramref name="options"/> must have passed <see cref="CheckOptions"/>.</summary>
    public static void Run(int sampleCount, SgdOptions options, Random random, BatchUpdate update)
    {
        var weightScale = 1f - options.LearningRate * options.WeightDecay;
        var order = new int[sampleCount];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < sampleCount; start += options.BatchSize)
            {
                var size = Math.Min(options.BatchSize, sampleCount - start);
                update(order.AsSpan(start, size), weightScale, -options.LearningRate / size);
            }
        }
    }

    public static void CheckOptions(SgdOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs, "options.Epochs");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, "options.BatchSize");
        if (!float.IsFinite(options.LearningRate) || options.LearningRate <= 0f)
            throw new ArgumentOutOfRangeException("options.LearningRate", options.LearningRate, "Learning rate must be positive and finite.");
        if (!float.IsFinite(options.WeightDecay) || options.WeightDecay < 0f)
            throw new ArgumentOutOfRangeException("options.WeightDecay", options.WeightDecay, "Weight decay must be non-negative and finite.");
    }

    /// <summary>The checks both models make before touching parameters, so a mismatch fails before any work.</summary>
    public static void CheckCompatible(ModelShape shape, int parameterCount, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (parameterCount != shape.ParameterCount)
            throw new ArgumentException($"Got {parameterCount} parameters but shape {shape} needs {shape.ParameterCount}.", "parameters");
        if (data.FeatureCount != shape.Inputs)
            throw new ArgumentException($"Dataset has {data.FeatureCount} features but the model takes {shape.Inputs} inputs.", nameof(data));
        if (data.ClassCount != shape.Classes)
            throw new ArgumentException($"Dataset has {data.ClassCount} classes but the model predicts {shape.Classes}.", nameof(data));
    }
}
