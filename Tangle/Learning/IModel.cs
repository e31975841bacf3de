using System.Numerics.Tensors;
using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Learning;

/// <summary>
/// A classifier over flat <c>float[]</c> parameters. Implementations hold no parameters themselves,
/// so one instance serves every peer and thread; parameters travel as <see cref="ModelWeights"/>.
/// </summary>
public interface IModel
{
    ModelShape Shape { get; }

    /// <summary>Fresh parameters drawn from <paramref name="random"/> (deterministic for a seed).</summary>
    ModelWeights Initialize(Random random);

    /// <summary>Runs <paramref name="options"/>.Epochs epochs of minibatch SGD on <paramref name="data"/>, updating <paramref name="parameters"/> in place.</summary>
    void Train(float[] parameters, Dataset data, SgdOptions options, Random random);

    /// <summary>Mean cross-entropy loss and accuracy of <paramref name="parameters"/> on <paramref name="data"/>.</summary>
    Evaluation Evaluate(ReadOnlySpan<float> parameters, Dataset data);

    /// <summary>The class each sample of <paramref name="data"/> is predicted as (ties to the lowest class index), as <see cref="Evaluate"/> counts them.</summary>
    int[] Predict(ReadOnlySpan<float> parameters, Dataset data);
}

/// <summary>Called with each sample's logits in turn; the span is reused for the next sample.</summary>
internal delegate void LogitsVisitor(int sample, Span<float> logits);

/// <summary>A model's forward pass, sample by sample, from which evaluating and predicting follow alike for every model.</summary>
internal interface IForwardPass
{
    void VisitLogits(ReadOnlySpan<float> parameters, Dataset data, LogitsVisitor visit);
}

internal static class ForwardPassScoring
{
    /// <summary>Mean cross-entropy and accuracy; ties go to the lowest class index, so all-equal logits predict class 0.</summary>
    public static Evaluation Evaluate(this IForwardPass model, ReadOnlySpan<float> parameters, Dataset data)
    {
        if (data.Count == 0) throw new ArgumentException("Cannot evaluate on an empty dataset.", nameof(data));
        var totalLoss = 0.0;
        var correct = 0;
        model.VisitLogits(parameters, data, (sample, logits) =>
        {
            var label = data.Labels[sample];
            if (TensorPrimitives.IndexOfMax<float>(logits) == label) correct++;
            totalLoss += SoftmaxCrossEntropy.ToProbabilities(logits, label);
        });
        return new Evaluation(totalLoss / data.Count, (double)correct / data.Count);
    }

    public static int[] Predict(this IForwardPass model, ReadOnlySpan<float> parameters, Dataset data)
    {
        var classes = new int[data.Count];
        model.VisitLogits(parameters, data, (sample, logits) => classes[sample] = TensorPrimitives.IndexOfMax<float>(logits));
        return classes;
    }
}

public sealed record SgdOptions(int Epochs = 1, int BatchSize = 32, float LearningRate = 0.05f, float WeightDecay = 0f);

public readonly record struct Evaluation(double Loss, double Accuracy);
