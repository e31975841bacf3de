using System.Globalization;

namespace MlAspire.Tangle.Data.Partitioning;

public static class Partitioners
{
    private const string Forms = "expected \"iid\", \"dirichlet:<alpha>\" (alpha > 0, e.g. dirichlet:0.5) or \"shards:<per peer>\" (at least 1, e.g. shards:2)";

    /// <summary>Parses "iid", "dirichlet:0.5" or "shards:2" (case-insensitive); the inverse of each partitioner's ToString.</summary>
    /// <exception cref="FormatException">The text is not one of those forms.</exception>
    public static IPartitioner Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        var kind = parts[0].Trim().ToLowerInvariant();
        var argument = parts.Length == 2 ? parts[1].Trim() : null;
        switch (kind)
        {
            case "iid" when parts.Length == 1:
                return new IidPartitioner();
            case "dirichlet" when argument is not null:
                if (double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var alpha) && double.IsFinite(alpha) && alpha > 0)
                    return new DirichletPartitioner(alpha);
                throw new FormatException($"Bad partitioner \"{text}\": Dirichlet alpha \"{argument}\" is not a positive number; {Forms}.");
            case "shards" when argument is not null:
                if (int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var shards) && shards >= 1)
                    return new ShardPartitioner(shards);
                throw new FormatException($"Bad partitioner \"{text}\": shards per peer \"{argument}\" is not a whole number ≥ 1; {Forms}.");
            default:
                throw new FormatException($"Bad partitioner \"{text}\": {Forms}.");
        }
    }

    internal static void CheckArguments(byte[] labels, int classCount, int peers, Random random, long minimumSamples)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(peers, 1);
        if (labels.Length < minimumSamples)
            throw new ArgumentException($"Cannot give {peers} peers a non-empty share: {labels.Length} samples, need at least {minimumSamples}.", nameof(labels));
        foreach (var label in labels)
            if (label >= classCount)
                throw new ArgumentException($"Label {label} is outside 0..{classCount - 1}.", nameof(labels));
    }

    /// <summary>Per class, the indices of its samples in ascending order.</summary>
    internal static int[][] IndicesByClass(byte[] labels, int classCount)
    {
        var members = new List<int>[classCount];
        for (var c = 0; c < classCount; c++) members[c] = [];
        for (var i = 0; i < labels.Length; i++) members[labels[i]].Add(i);
        return members.Select(m => m.ToArray()).ToArray();
    }
}
