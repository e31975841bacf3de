using MlAspire.Tangle.Data;

using System.Globalization;

namespace MlAspire.Storage.Datasets;

/// <summary>
/// A CSV file (<c>*.csv</c>) with a header row, a column named <c>label</c> and numeric features in every other
/// column, one sample per line. Labels that are all whole numbers 0–255 are classes by number; otherwise each
/// distinct label is a class, in ordinal order of the names (so peers sharing a network should use numbers: names
/// number by which ones a file holds); the two kinds may not mix. Fields may be double-quoted. Features are used as
/// written (scale them beforehand); samples are shuffled into one fixed order (<see cref="DatasetFormats.InFixedRandomOrder"/>).
/// </summary>
public sealed class CsvFileFormat : IDatasetFormat
{
    private const string LabelColumn = "label";

    public string Description => "a CSV file (*.csv) with a header row and a label column";

    public bool Recognizes(string path) => File.Exists(path) && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    public LoadedDataset Load(string path)
    {
        using var reader = new StreamReader(path);
        var header = ReadLine(reader, path, 1) is { } first ? Fields(first, path, 1) : throw new InvalidDataException($"{path} is empty: expected a header row.");
        var labelColumns = Enumerable.Range(0, header.Count).Where(i => string.Equals(header[i].Trim(), LabelColumn, StringComparison.OrdinalIgnoreCase)).ToList();
        if (labelColumns is not [var labelColumn])
            throw new InvalidDataException($"{path} has {labelColumns.Count} columns named \"{LabelColumn}\" among {string.Join(", ", header)}: expected exactly one.");
        var featureCount = header.Count - 1;
        if (featureCount == 0)
            throw new InvalidDataException($"{path} has no feature columns beside \"{LabelColumn}\".");

        var features = new List<float>();
        var labels = new List<string>();
        var lineNumber = 1;
        while (ReadLine(reader, path, lineNumber + 1) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = Fields(line, path, lineNumber);
            if (fields.Count != header.Count)
                throw new InvalidDataException($"{path} line {lineNumber} has {fields.Count} fields; the header has {header.Count}.");
            for (var i = 0; i < fields.Count; i++)
            {
                if (i == labelColumn)
                {
                    labels.Add(fields[i].Trim() is { Length: > 0 } label ? label : throw new InvalidDataException($"{path} line {lineNumber} has an empty label."));
                    continue;
                }
                if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                    throw new InvalidDataException($"{path} line {lineNumber}, column \"{header[i]}\": \"{fields[i]}\" is not a finite number.");
                features.Add(value);
            }
            if (features.Count > DatasetFormats.MaxValues)
                throw new InvalidDataException($"{path} holds more than {DatasetFormats.MaxValues:N0} feature values (1 GiB as floats) by line {lineNumber}: too large to load at once.");
        }
        if (labels.Count == 0)
            throw new InvalidDataException($"{path} has a header and no samples.");
        var (classes, classCount) = Classes(labels, path);
        return new LoadedDataset(DatasetFormats.InFixedRandomOrder(new Dataset([.. features], classes, featureCount, classCount)), null);
    }

    private static (byte[] Labels, int ClassCount) Classes(List<string> labels, string path)
    {
        var numbers = labels.Select(l => byte.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : (int?)null).ToList();
        if (numbers.All(n => n is not null))
            return ([.. numbers.Select(n => (byte)n!.Value)], Math.Max(2, numbers.Max()!.Value + 1));
        // A stray "1.0" or "300" among class numbers would silently renumber every class.
        if (numbers.FirstOrDefault(n => n is not null) is not null)
            throw new InvalidDataException($"{path} mixes class numbers 0–255 with other labels (\"{labels[numbers.FindIndex(n => n is null)]}\"): use one kind.");
        var names = labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (names.Count > DatasetFormats.MaxClasses)
            throw new InvalidDataException($"{path} has {names.Count} distinct labels; at most {DatasetFormats.MaxClasses} classes are supported.");
        var index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => (byte)p.i, StringComparer.Ordinal);
        return ([.. labels.Select(l => index[l])], Math.Max(2, names.Count));
    }

    /// <summary>Longest line read: a file without line breaks must not be read whole into one string.</summary>
    public const int MaxLineLength = 1 << 20;

    /// <summary>The next line without its line break, or null at the end; longer than <see cref="MaxLineLength"/> is an error.</summary>
    private static string? ReadLine(StreamReader reader, string path, int lineNumber)
    {
        var line = new System.Text.StringBuilder();
        int c;
        while ((c = reader.Read()) is not (-1 or '\n'))
        {
            if (line.Length == MaxLineLength)
                throw new InvalidDataException($"{path} line {lineNumber} is longer than {MaxLineLength:N0} characters.");
            line.Append((char)c);
        }
        if (c == -1 && line.Length == 0) return null;
        if (line.Length > 0 && line[^1] == '\r') line.Length--;
        return line.ToString();
    }

    /// <summary>The comma-separated fields of one line; a double-quoted field may hold commas and doubled quotes.</summary>
    private static List<string> Fields(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (i + 1 < line.Length && line[i + 1] != ',')
                    throw new InvalidDataException($"{path} line {lineNumber} has text after a closing quote, at character {i + 2}.");
                else quoted = false;
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted)
            throw new InvalidDataException($"{path} line {lineNumber} has an unclosed quote (a field may not span lines).");
        fields.Add(field.ToString());
        return fields;
    }
}
