using System.Globalization;

namespace MlAspire.Tangle.Attacks;

/// <summary>
/// Which attack, and on what share of the peers: <c>KIND:FRACTION[:ARG]</c>, e.g. <c>random:0.2</c>, <c>flip:0.2:3-8</c>,
/// <c>scale:0.2:10</c>, <c>sign-flip:0.2</c>, <c>free-rider:0.2</c>, <c>sybil:0.2:5</c>. Adding an attack is its own file
/// and one line in <see cref="Registry"/>.
/// </summary>
public sealed record AttackSpec(string Kind, double Fraction, string? Argument)
{
    private static readonly Dictionary<string, (string Usage, Func<string?, IAttack> Create)> Registry = new(StringComparer.Ordinal)
    {
        ["random"] = ("random[:STDDEV]", a => new RandomWeightsAttack(a is null ? 1.0 : SpecNumbers.Real(a))),
        ["flip"] = ("flip[:SOURCE-TARGET]", a => a is null ? new LabelFlipAttack() : LabelFlipAttack.Parse(a)),
        ["scale"] = ("scale[:FACTOR]", a => new ScaledUpdateAttack(a is null ? 10.0 : SpecNumbers.Real(a))),
        ["sign-flip"] = ("sign-flip[:FACTOR]", a => new SignFlipAttack(a is null ? 1.0 : SpecNumbers.Real(a))),
        ["free-rider"] = ("free-rider", a => a is null ? new FreeRiderAttack() : throw new FormatException("free-rider takes no argument.")),
        ["sybil"] = ("sybil[:RATE]", a => new SybilFloodAttack(a is null ? SybilFloodAttack.DefaultRate : SpecNumbers.Whole(a))),
    };

    /// <summary>The kinds and their arguments, for help texts.</summary>
    public static string Usage => string.Join(" | ", Registry.Values.Select(r => r.Usage));

    public static AttackSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':', 3);
        if (parts.Length < 2
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction)
            || fraction is < 0 or > 1)
            throw new FormatException($"Attack '{text}' is not KIND:FRACTION[:ARG] with FRACTION in [0, 1] (e.g. random:0.2, flip:0.2:3-8, sybil:0.2:5).");
        var spec = new AttackSpec(parts[0].ToLowerInvariant(), fraction, parts.Length == 3 ? parts[2] : null);
        _ = spec.CreateAttack(); // validates kind and argument now, not when the first attacker trains
        return spec;
    }

    public IAttack CreateAttack() => Registry.TryGetValue(Kind, out var entry)
        ? entry.Create(Argument)
        : throw new FormatException($"Unknown attack '{Kind}'; use {Usage}.");

    public override string ToString() => Argument is null ? $"{Kind}:{Fraction.ToString(CultureInfo.InvariantCulture)}" : $"{Kind}:{Fraction.ToString(CultureInfo.InvariantCulture)}:{Argument}";
}
