using System.Globalization;
using System.Text;
using ScottPlot;

namespace MlAspire.Benchmarks.Soak;

/// <summary>The soak's verdict, in words, and whether every check held.</summary>
public sealed record SoakVerdict(bool Stable, string Text);

/// <summary>
/// Turns a soak's samples into a per-moment summary (summary.csv), charts (memory, cpu, store, tangle, accuracy PNGs)
/// and the verdict (verdict.txt): after warm-up, memory and store slopes are under their bounds; at the end every
/// replica is within 2 % of the largest; no peer exited, stopped answering or left the Bootstrap's members.
/// </summary>
public static class SoakReport
{
    /// <summary>
    /// Median over peers of the resident set's slope after warm-up. A peer's memory holds its replica's graph, which
    /// grows with the tangle by design (about 760 bytes per transaction, the history benchmark; 10 transactions a second is
    /// 0.46 MB/min); anything
    /// retained per weights blob (200 KB for the MLP) would be a hundred times that.
    /// </summary>
    public const double ResidentSlopeBound = 1.0;

    /// <summary>
    /// Median over peers of the store's slope after warm-up. Signed documents (about 1 KB) stay for 100,000
    /// transactions, 0.6 MB/min at 10 a second; unretained weights would grow by 120 MB/min.
    /// </summary>
    public const double StoreSlopeBound = 2.0;

    /// <summary>The smallest replica at the end, as a share of the largest.</summary>
    public const double ReplicaShareBound = 0.98;

    public static string Progress(IReadOnlyList<SoakSample> batch)
    {
        var live = batch.Where(s => s.Answered).ToList();
        if (live.Count == 0)
            return $"{batch[0].Seconds / 60,6:F1} min  no peer answered";
        return string.Create(CultureInfo.InvariantCulture,
            $"{batch[0].Seconds / 60,6:F1} min  tangle {live.Min(s => s.TangleSize)}–{live.Max(s => s.TangleSize)}  rss {live.Average(s => s.ResidentMegabytes):F0} MB (max {live.Max(s => s.ResidentMegabytes):F0}, pss {live.Average(s => s.ProportionalMegabytes):F0})  " +
            $"store {live.Average(s => s.StoreBytes) / 1048576:F0} MB  accuracy {Median(live.Select(s => s.ReferenceAccuracy)):P1}  answered {live.Count}/{batch.Count}  members {batch[0].Members}");
    }

    public static SoakVerdict Write(SoakOptions options, IReadOnlyList<SoakSample> samples)
    {
        var moments = Summarize(samples);
        WriteSummary(Path.Combine(options.Output, "summary.csv"), moments);
        Charts.Save(options.Output, moments, $"{options.Topology}, {options.Interval.TotalSeconds:0.##} s steps");
        var verdict = Judge(options, samples, moments);
        File.WriteAllText(Path.Combine(options.Output, "verdict.txt"), verdict.Text);
        return verdict;
    }

    /// <summary>The whole network at one sample. Rates are over the interval since the previous sample.</summary>
    public sealed record Moment(
        double Minutes, double MeanResident, double MaxResident, double MeanProportional, double MeanNodeResident, double PeerCores, double NodeCores,
        double MeanStoreMegabytes, double MaxStoreMegabytes, long SmallestTangle, long LargestTangle,
        double PublishedPerMinute, double ReceivedPerMinutePerPeer, double MedianAccuracy, int Answered, int Members)
    {
        public const string CsvHeader = "minutes,mean_rss_mb,max_rss_mb,mean_pss_mb,mean_node_rss_mb,peer_cores,node_cores,mean_store_mb,max_store_mb,smallest_tangle,largest_tangle,published_per_min,received_per_min_per_peer,median_accuracy,answered,members";

        public string ToCsv() => string.Join(',', new object[]
        {
            Minutes, MeanResident, MaxResident, MeanProportional, MeanNodeResident, PeerCores, NodeCores, MeanStoreMegabytes, MaxStoreMegabytes,
            SmallestTangle, LargestTangle, PublishedPerMinute, ReceivedPerMinutePerPeer, MedianAccuracy, Answered, Members,
        }.Select(v => v is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) : v.ToString()));
    }

    private static List<Moment> Summarize(IReadOnlyList<SoakSample> samples)
    {
        var moments = new List<Moment>();
        List<SoakSample>? previous = null;
        foreach (var group in samples.GroupBy(s => s.Seconds).OrderBy(g => g.Key))
        {
            var now = group.ToList();
            var live = now.Where(s => s.Answered).ToList();
            double Rate(Func<SoakSample, double> counter, double perSeconds)
            {
                if (previous is null)
                    return double.NaN;
                var elapsed = group.Key - previous[0].Seconds;
                var before = previous.ToDictionary(s => s.Peer);
                // A status counter is -1 in a sample whose call did not answer: a delta from it would count the peer's
                // whole history as one interval's (the rates were inflated so before this was seen).
                var deltas = now.Where(s => before.ContainsKey(s.Peer) && counter(s) >= 0 && counter(before[s.Peer]) >= 0)
                    .Select(s => counter(s) - counter(before[s.Peer])).Where(d => !double.IsNaN(d) && d >= 0).ToList();
                return deltas.Count == 0 ? double.NaN : deltas.Sum() * perSeconds / elapsed;
            }
            moments.Add(new Moment(
                group.Key / 60,
                Mean(now.Select(s => s.ResidentMegabytes)), Max(now.Select(s => s.ResidentMegabytes)), Mean(now.Select(s => s.ProportionalMegabytes)),
                Mean(now.Select(s => s.NodeResidentMegabytes)),
                Rate(s => s.CpuSeconds, 1), Rate(s => s.NodeCpuSeconds, 1),
                Mean(live.Select(s => s.StoreBytes / 1048576.0)), Max(live.Select(s => s.StoreBytes / 1048576.0)),
                live.Count == 0 ? 0 : live.Min(s => s.TangleSize), live.Count == 0 ? 0 : live.Max(s => s.TangleSize),
                Rate(s => s.Published, 60), Rate(s => s.Received, 60) / Math.Max(1, live.Count), Median(live.Select(s => s.ReferenceAccuracy)),
                live.Count, now[0].Members));
            previous = now;
        }
        return moments;
    }

    private static void WriteSummary(string path, List<Moment> moments) =>
        File.WriteAllLines(path, [Moment.CsvHeader, .. moments.Select(m => m.ToCsv())]);

    private static SoakVerdict Judge(SoakOptions options, IReadOnlyList<SoakSample> samples, List<Moment> moments)
    {
        var text = new StringBuilder();
        var stable = true;
        void Check(bool holds, string line)
        {
            stable &= holds;
            text.AppendLine($"{(holds ? "ok  " : "FAIL")} {line}");
        }

        var settled = samples.Where(s => s.Seconds / 60 >= options.WarmupMinutes && s.Answered).ToList();
        var residentSlopes = settled.GroupBy(s => s.Peer).Select(g => Slope(g.Select(s => (s.Seconds / 60, s.ResidentMegabytes)))).ToList();
        var storeSlopes = settled.GroupBy(s => s.Peer).Select(g => Slope(g.Select(s => (s.Seconds / 60, s.StoreBytes / 1048576.0)))).ToList();
        var residentSlope = Median(residentSlopes);
        var storeSlope = Median(storeSlopes);
        Check(residentSlope <= ResidentSlopeBound, string.Create(CultureInfo.InvariantCulture,
            $"memory: median peer RSS slope after {options.WarmupMinutes:0.#} min is {residentSlope:F2} MB/min (bound {ResidentSlopeBound}); peers' slopes {Min(residentSlopes):F2}…{Max(residentSlopes):F2}"));
        Check(storeSlope <= StoreSlopeBound, string.Create(CultureInfo.InvariantCulture,
            $"store: median peer store slope is {storeSlope:F2} MB/min (bound {StoreSlopeBound}); peers' slopes {Min(storeSlopes):F2}…{Max(storeSlopes):F2}"));

        var last = moments[^1];
        var share = last.LargestTangle == 0 ? 0 : (double)last.SmallestTangle / last.LargestTangle;
        Check(share >= ReplicaShareBound && last.Answered == options.Peers, string.Create(CultureInfo.InvariantCulture,
            $"replicas: at the end the smallest holds {last.SmallestTangle} of the largest's {last.LargestTangle} transactions ({share:P1}, bound {ReplicaShareBound:P0}); {last.Answered}/{options.Peers} answered"));

        var exited = samples.Where(s => !s.Alive).Select(s => s.Peer).Distinct().ToList();
        var silent = samples.Where(s => !s.Answered).GroupBy(s => s.Peer).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        var dropped = moments.Where(m => m.Members != options.Peers).ToList();
        Check(exited.Count == 0 && dropped.Count == 0, exited.Count == 0 && dropped.Count == 0
            ? $"peers: none exited; the Bootstrap listed all {options.Peers} at every sample"
            : $"peers: exited [{string.Join(", ", exited)}]; member count off at {dropped.Count} sample(s) (e.g. {dropped.FirstOrDefault()?.Members} at {dropped.FirstOrDefault()?.Minutes:F1} min)");
        if (silent.Count > 0)
            text.AppendLine($"note: status calls that did not answer within 5 s: {string.Join(", ", silent)}");

        var steady = moments.Where(m => m.Minutes >= options.WarmupMinutes && !double.IsNaN(m.PeerCores)).ToList();
        if (steady.Count > 0)
        {
            var nodes = options.Storage == StorageMode.Ipfs ? string.Create(CultureInfo.InvariantCulture, $", their nodes {steady.Average(m => m.NodeCores):F2}") : "";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"after warm-up: peers use {steady.Average(m => m.PeerCores):F2} cores ({steady.Average(m => m.PeerCores) / options.Peers * 100:F1} % each){nodes}; " +
                $"{steady.Average(m => m.PublishedPerMinute):F0} published/min in all, {steady.Average(m => m.ReceivedPerMinutePerPeer):F0} received/min per peer; " +
                $"mean RSS {steady.Average(m => m.MeanResident):F0} MB (max {steady.Max(m => m.MaxResident):F0}), mean PSS {steady.Average(m => m.MeanProportional):F0} MB; final median accuracy {last.MedianAccuracy:P2}"));
        }
        text.Insert(0, $"{(stable ? "STABLE" : "NOT STABLE")}: {options.Topology}, {options.Interval.TotalSeconds:0.##} s, {moments[^1].Minutes:F1} min\n");
        return new SoakVerdict(stable, text.ToString());
    }

    /// <summary>Least-squares slope of y over x; NaN for fewer than two points.</summary>
    public static double Slope(IEnumerable<(double X, double Y)> points)
    {
        var list = points.Where(p => !double.IsNaN(p.Y)).ToList();
        if (list.Count < 2)
            return double.NaN;
        var (mx, my) = (list.Average(p => p.X), list.Average(p => p.Y));
        var sxx = list.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? double.NaN : list.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double Mean(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();

    private static double Max(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();

    private static double Min(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min();

    /// <summary>One PNG per concern, minutes on the x axis.</summary>
    private static class Charts
    {
        public static void Save(string directory, List<Moment> moments, string title)
        {
            var x = moments.Select(m => m.Minutes).ToArray();
            Chart(directory, "memory", title, "memory (MB)", x, ("mean peer", m => m.MeanResident), ("largest peer", m => m.MaxResident), ("mean peer, proportional (PSS)", m => m.MeanProportional), ("mean js-ipfs node", m => m.MeanNodeResident));
            Chart(directory, "cpu", title, "cores in use", x, ("peers", m => m.PeerCores), ("js-ipfs nodes", m => m.NodeCores));
            Chart(directory, "store", title, "store (MB)", x, ("mean peer", m => m.MeanStoreMegabytes), ("largest peer", m => m.MaxStoreMegabytes));
            Chart(directory, "tangle", title, "transactions", x, ("largest replica", m => m.LargestTangle), ("smallest replica", m => m.SmallestTangle));
            Chart(directory, "rates", title, "transactions per minute", x, ("published (network)", m => m.PublishedPerMinute), ("received per peer", m => m.ReceivedPerMinutePerPeer));
            Chart(directory, "accuracy", title, "median reference accuracy (%)", x, ("peers", m => m.MedianAccuracy * 100));

            void Chart(string dir, string name, string heading, string yLabel, double[] xs, params (string Label, Func<Moment, double> Y)[] lines)
            {
                var plot = new Plot();
                foreach (var (label, y) in lines)
                {
                    var ys = moments.Select(y).ToArray();
                    if (ys.All(double.IsNaN))
                        continue;
                    var line = plot.Add.Scatter(xs, ys);
                    line.LegendText = label;
                    line.MarkerSize = 0;
                    line.LineWidth = 2;
                }
                plot.Title(heading);
                plot.XLabel("minutes");
                plot.YLabel(yLabel);
                plot.ShowLegend(Alignment.UpperLeft);
                plot.SavePng(Path.Combine(dir, $"{name}.png"), 900, 500);
            }
        }
    }
}
