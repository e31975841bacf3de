using System.Globalization;

namespace MlAspire.Tangle.Attacks;

/// <summary>
/// Which attack, and on what share of the peers: <c>random:0.2</c>, <c>random:0.2:5</c> (standard deviation),
/// <c>flip:0.2</c> or <c>flip:0.2:3-8</c>, <c>scale:0.2</c> or <c>scale:0.2:10</c>.
/// </summary>
public sealed record AttackSpec(string Kind, double Fraction, string? Argument)
{
    public static AttackSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction)
            || fraction is < 0 or > 1)
            throw new FormatException($"Attack '{text}' is not KIND:FRACTION[:ARG] with FRACTION in [0, 1] (e.g. random:0.2, flip:0.2:3-8, scale:0.1:10).");
        var spec = new AttackSpec(parts[0].ToLowerInvariant(), fraction, parts.Length == 3 ? parts[2] : null);
        _ = spec.CreateAttack(); // validates kind and argument now, not when the first attacker trains
        return spec;
    }

    public IAttack CreateAttack() => Kind switch
    {
        "random" => new RandomWeightsAttack(Argument is null ? 1.0 : Number(Argument)),
        "scale" => new ScaledUpdateAttack(Argument is null ? 10.0 : Number(Argument)),
        "flip" when Argument is null => new LabelFlipAttack(),
        "flip" => Argument.Split('-') is [var from, var to] && byte.TryParse(from, out var source) && byte.TryParse(to, out var target)
            ? new LabelFlipAttack(source, target)
            : throw new FormatException($"Label flip '{Argument}' is not SOURCE-TARGET (e.g. 3-8)."),
        _ => throw new FormatException($"Unknown attack '{Kind}'; use random, flip or scale."),
    };

    public override string ToString() => Argument is null ? $"{Kind}:{Fraction.ToString(CultureInfo.InvariantCulture)}" : $"{Kind}:{Fraction.ToString(CultureInfo.InvariantCulture)}:{Argument}";

    private static double Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"'{text}' is not a number.");
}
