using System.Globalization;

namespace MlAspire.Tangle.Learning;

/// <summary>One sample's activations: channels × height × width, stored channel by channel, row by row. A flat vector is n × 1 × 1.</summary>
public readonly record struct ActivationShape(int Channels, int Height, int Width)
{
    /// <summary>Largest activation of one sample a model may declare (64 MiB as floats): descriptions arrive from peers.</summary>
    public const int MaxSize = 1 << 24;

    public int Size => Channels * Height * Width;

    public bool IsFlat => Height == 1 && Width == 1;

    public static ActivationShape Flat(int size) => new(size, 1, 1);

    /// <summary>"784" (flat) or "1x28x28" (channels × height × width), as <see cref="ToString"/> writes it.</summary>
    public static ActivationShape Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x');
        var values = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : -1).ToArray();
        if (values.Any(v => v < 0) || parts.Length is not (1 or 3))
            throw new FormatException($"'{text}' is not a sample shape: expected a size such as 784 or channels×height×width such as 1x28x28.");
        var shape = parts.Length == 1 ? Flat(values[0]) : new ActivationShape(values[0], values[1], values[2]);
        if ((long)shape.Channels * shape.Height * shape.Width > MaxSize)
            throw new FormatException($"Sample shape {text} holds more than {MaxSize:N0} values.");
        return shape;
    }

    public override string ToString() => IsFlat ? $"{Channels}" : $"{Channels}x{Height}x{Width}";
}
