namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Every aggregator by name, with its arguments after colons: <c>samples</c>, <c>mean</c>, <c>median</c>,
/// <c>trimmed-mean:0.2</c>, <c>filtered-trimmed-mean:0.25:3</c>, <c>centered-clipping:1:3</c>, <c>krum:2</c>, <c>multi-krum:2:8</c>. The tangle's parents, its reference and FedAvg's server
/// all take one of these specs. Adding an aggregator is its own file and one line in <see cref="Registry"/>.
/// </summary>
public static class Aggregators
{
    private static readonly Dictionary<string, (string Usage, Func<Arguments, IAggregator> Create)> Registry = new(StringComparer.Ordinal)
    {
        ["samples"] = ("samples", _ => new SampleWeightedAggregator()),
        ["mean"] = ("mean", _ => new MeanAggregator()),
        ["median"] = ("median", _ => new MedianAggregator()),
        ["trimmed-mean"] = ("trimmed-mean[:BETA]", a => new TrimmedMeanAggregator(a.Real(0, TrimmedMeanAggregator.DefaultBeta))),
        ["filtered-trimmed-mean"] = ("filtered-trimmed-mean[:BETA[:CUTOFF]]",
            a => new FilteredTrimmedMeanAggregator(a.Real(0, TrimmedMeanAggregator.DefaultBeta), a.Real(1, FilteredTrimmedMeanAggregator.DefaultCutoff))),
        ["centered-clipping"] = ("centered-clipping[:RADIUS[:SPREADS[:BETA[:CUTOFF]]]]",
            a => new CenteredClippingAggregator(a.Real(0, CenteredClippingAggregator.DefaultRadius), a.Real(1, CenteredClippingAggregator.DefaultSpreads),
                a.Real(2, TrimmedMeanAggregator.DefaultBeta), a.Real(3, FilteredTrimmedMeanAggregator.DefaultCutoff))),
        ["krum"] = ("krum[:F]", a => new KrumAggregator(a.Whole(0, KrumAggregator.DefaultByzantine))),
        ["multi-krum"] = ("multi-krum[:F[:M]]", a => new MultiKrumAggregator(a.Whole(0, KrumAggregator.DefaultByzantine), a.Whole(1, 0))),
    };

    /// <summary>What <see cref="Create"/> accepts, for help texts.</summary>
    public static string Usage => string.Join(" | ", Registry.Values.Select(r => r.Usage));

    /// <summary>The aggregator <paramref name="spec"/> names.</summary>
    /// <exception cref="FormatException">Unknown name, or arguments it does not take.</exception>
    public static IAggregator Create(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(':');
        if (!Registry.TryGetValue(parts[0], out var entry))
            throw new FormatException($"Unknown aggregator '{parts[0]}'; use {Usage}.");
        try
        {
            return entry.Create(new Arguments(parts[1..]));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new FormatException($"Aggregator '{spec}': {e.Message} (usage: {entry.Usage}).", e);
        }
    }

    /// <summary>An aggregator's arguments, read by position; a missing one takes its default.</summary>
    private sealed class Arguments(string[] values)
    {
        public double Real(int index, double fallback) => index < values.Length ? SpecNumbers.Real(values[index]) : fallback;

        public int Whole(int index, int fallback) => index < values.Length ? SpecNumbers.Whole(values[index]) : fallback;
    }
}
