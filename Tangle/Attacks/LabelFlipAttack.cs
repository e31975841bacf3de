using MlAspire.Tangle.Data;

namespace MlAspire.Tangle.Attacks;

/// <summary>Trains honestly on data whose <paramref name="source"/> labels say <paramref name="target"/> (e.g. 3 → 8): a subtle, targeted poison.</summary>
public sealed class LabelFlipAttack(byte source = 3, byte target = 8) : IAttack
{
    public string Name => $"flip {source}->{target}";

    public Dataset PoisonData(Dataset honest) => honest.WithLabels(label => label == source ? target : label);

    /// <summary>Reads SOURCE-TARGET, e.g. 3-8.</summary>
    public static LabelFlipAttack Parse(string text) =>
        text.Split('-') is [var from, var to] && byte.TryParse(from, out var source) && byte.TryParse(to, out var target)
            ? new LabelFlipAttack(source, target)
            : throw new FormatException($"Label flip '{text}' is not SOURCE-TARGET (e.g. 3-8).");
}
