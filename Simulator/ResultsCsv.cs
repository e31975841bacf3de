using System.Globalization;
using MlAspire.Tangle.Simulation;

namespace MlAspire.Simulator;

public static class ResultsCsv
{
    public const string Header = "round,method,accuracy,loss,tangle_size,tips,contributors";

    public static void Write(string path, IEnumerable<RoundResult> results) =>
        File.WriteAllLines(path, [Header, .. results.Select(Line)]);

    private static string Line(RoundResult r) => string.Join(',',
        r.Round.ToString(CultureInfo.InvariantCulture),
        r.Method,
        r.Accuracy.ToString("F4", CultureInfo.InvariantCulture),
        r.Loss.ToString("F4", CultureInfo.InvariantCulture),
        r.TangleSize?.ToString(CultureInfo.InvariantCulture) ?? "",
        r.Tips?.ToString(CultureInfo.InvariantCulture) ?? "",
        r.Contributors?.ToString("F1", CultureInfo.InvariantCulture) ?? "");
}
