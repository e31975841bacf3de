using System.Globalization;

namespace MlAspire.Benchmarks.Soak;

/// <summary>
/// One peer at one moment of a soak. Counters (CPU seconds, published, received) are cumulative; the report turns
/// them into rates. <see cref="Answered"/> is false when the peer did not answer its status call (its tangle figures
/// are then NaN or -1); <see cref="Alive"/> is false once its process has exited. The node columns are its js-ipfs
/// node's (NaN in embedded mode). <see cref="ProportionalMegabytes"/> is the proportional set (PSS): a page shared by
/// several processes, such as the framework's files all peers map, counts a share to each, where RSS counts it whole in each.
/// </summary>
public sealed record SoakSample(
    double Seconds, string Peer, bool Alive, bool Answered, double ResidentMegabytes, double ProportionalMegabytes, double CpuSeconds,
    double NodeResidentMegabytes, double NodeCpuSeconds,
    long StoreBytes, long TangleSize, long Published, long Received, double ReferenceAccuracy, int Members)
{
    public const string CsvHeader = "seconds,peer,alive,answered,rss_mb,pss_mb,cpu_s,node_rss_mb,node_cpu_s,store_bytes,tangle_size,published,received,reference_accuracy,members";

    public string ToCsv() => string.Join(',',
        F(Seconds, "F1"), Peer, Alive ? 1 : 0, Answered ? 1 : 0, F(ResidentMegabytes, "F1"), F(ProportionalMegabytes, "F1"), F(CpuSeconds, "F2"),
        F(NodeResidentMegabytes, "F1"), F(NodeCpuSeconds, "F2"), StoreBytes, TangleSize, Published, Received, F(ReferenceAccuracy, "F4"), Members);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>
/// Every process's parent, resident set and CPU time, read once from /proc/*/stat (Linux), so that a sample of fifty
/// peers costs one pass. A process's figures include its descendants' (a js-ipfs node runs under a bash launcher).
/// </summary>
public sealed class ProcessTable
{
    // USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100;
    private static readonly double PageMegabytes = Environment.SystemPageSize / 1048576.0;

    private readonly Dictionary<int, (int Parent, double CpuSeconds, double ResidentMegabytes)> _processes = [];
    private readonly Dictionary<int, List<int>> _children = [];

    private ProcessTable()
    {
    }

    public static ProcessTable Read()
    {
        var table = new ProcessTable();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // gone since the listing
            }
            // The command name (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
            // There, index 0 is field 3 (state), 1 the parent, 11 and 12 utime and stime, 21 rss in pages.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            table._processes[pid] = (parent, cpu, long.Parse(fields[21], CultureInfo.InvariantCulture) * PageMegabytes);
            if (!table._children.TryGetValue(parent, out var siblings))
                table._children[parent] = siblings = [];
            siblings.Add(pid);
        }
        return table;
    }

    /// <summary>Resident set in MiB of the process and its descendants; NaN when the process is gone.</summary>
    public double ResidentMegabytes(int processId) => Sum(processId, pid => _processes[pid].ResidentMegabytes);

    /// <summary>
    /// Proportional set in MiB of the process and its descendants, from /proc/PID/smaps_rollup (read now, for this
    /// process only: walking a process's page tables costs far more than its stat line); NaN when the process is gone.
    /// </summary>
    public double ProportionalMegabytes(int processId) => Sum(processId, ReadPss);

    /// <summary>User plus system CPU seconds of the process and its living descendants; NaN when the process is gone.</summary>
    public double CpuSeconds(int processId) => Sum(processId, pid => _processes[pid].CpuSeconds);

    private static double ReadPss(int processId)
    {
        try
        {
            // "Pss:  113750 kB", the rollup's second line.
            var line = File.ReadLines($"/proc/{processId}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? double.NaN : long.Parse(line[4..^2].Trim(), CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN; // gone since the listing
        }
    }

    private double Sum(int root, Func<int, double> figure)
    {
        if (!_processes.ContainsKey(root))
            return double.NaN;
        var total = 0.0;
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            if (_processes.ContainsKey(pid))
                total += figure(pid);
            foreach (var child in _children.GetValueOrDefault(pid) ?? [])
                pending.Push(child);
        }
        return total;
    }
}
