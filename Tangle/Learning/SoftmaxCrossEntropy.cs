using System.Numerics.Tensors;

namespace MlAspire.Tangle.Learning;

/// <summary>The output layer shared by both models: softmax over logits with cross-entropy loss.</summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Turns <paramref name="logits"/> into probabilities in place and returns −ln p[label].
    /// Shifting by the maximum first keeps Exp from overflowing; the loss comes from the shifted logits
    /// (log-sum-exp), never from ln of a probability that may have underflowed to zero.
    /// </summary>
    public static double ToProbabilities(Span<float> logits, int label)
    {
        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, logits);
        var shiftedLabelLogit = logits[label];
        TensorPrimitives.Exp(logits, logits);
        var sum = TensorPrimitives.Sum(logits);
        TensorPrimitives.Divide(logits, sum, logits);
        return Math.Log(sum) - shiftedLabelLogit;
    }

    /// <summary>Turns logits into ∂loss/∂logits = softmax − onehot(label), in place, and returns the loss.</summary>
    public static double ToLogitGradient(Span<float> logits, int label)
    {
        var loss = ToProbabilities(logits, label);
        logits[label] -= 1f;
        return loss;
    }
}
