using System.Text.RegularExpressions;

namespace MlAspire.Integration.Tests;

/// <summary>A Prometheus text exposition as read from a live endpoint.</summary>
public sealed partial record Exposition(string Source, string Text)
{
    /// <summary>Every sample name in the text: histogram and summary series appear as name_bucket, name_sum, name_count.</summary>
    public IReadOnlySet<string> SampleNames { get; } = Text.Split('\n')
        .Where(line => line.Length > 0 && line[0] != '#')
        .Select(line => SampleName().Match(line))
        .Where(match => match.Success)
        .Select(match => match.Value)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The value of the sample with exactly this name and every given label, or null when absent.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        foreach (var line in Text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
                continue;
            if (labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return null;
    }

    public static async Task<Exposition> ReadAsync(string source, Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return new Exposition(source, await http.GetStringAsync(url));
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
