using System.Globalization;

namespace MlAspire.Tangle;

/// <summary>The numbers in a spec string (an aggregator's or an attack's arguments after colons), read the same way everywhere.</summary>
internal static class SpecNumbers
{
    /// <exception cref="FormatException">Not a finite number.</exception>
    public static double Real(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new FormatException($"'{text}' is not a number");

    /// <exception cref="FormatException">Not a whole number.</exception>
    public static int Whole(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a whole number");
}
