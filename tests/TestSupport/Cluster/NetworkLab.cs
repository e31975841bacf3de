namespace MlAspire.Integration.Tests;

/// <summary>
/// Linux network namespaces for fault tests, one per process: each has a veth pair whose other end is on a bridge in
/// the test's own namespace, which holds the bridge's address (the Bootstrap listens there). A partition is a set of
/// blackhole routes inside the namespaces: packets between the two groups vanish, as on a cut link, while both still
/// reach the Bootstrap and the test. Needs root and iproute2; everything is removed on dispose.
/// </summary>
public sealed class NetworkLab : IDisposable
{
    private readonly string _prefix;
    private readonly string _subnet;
    private readonly List<(int, int)> _blackholes = [];

    private NetworkLab(int namespaces)
    {
        // Short names (interface names have 15 characters at most) unique to this lab; a /24 out of 10.201-250.x.
        var tag = Random.Shared.Next(0x1000, 0xffff).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        _prefix = $"mla{tag}";
        _subnet = $"10.{201 + Random.Shared.Next(50)}.{Random.Shared.Next(256)}";
        Count = namespaces;
        try
        {
            Build();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build()
    {
        SystemCommand.Run("ip", "link", "add", Bridge, "type", "bridge");
        SystemCommand.Run("ip", "addr", "add", $"{HostAddress}/24", "dev", Bridge);
        SystemCommand.Run("ip", "link", "set", Bridge, "up");
        for (var i = 0; i < Count; i++)
        {
            SystemCommand.Run("ip", "netns", "add", Namespace(i));
            SystemCommand.Run("ip", "link", "add", $"{_prefix}h{i}", "type", "veth", "peer", "name", $"{_prefix}n{i}");
            SystemCommand.Run("ip", "link", "set", $"{_prefix}h{i}", "master", Bridge);
            SystemCommand.Run("ip", "link", "set", $"{_prefix}h{i}", "up");
            SystemCommand.Run("ip", "link", "set", $"{_prefix}n{i}", "netns", Namespace(i));
            SystemCommand.Run("ip", "-n", Namespace(i), "addr", "add", $"{Address(i)}/24", "dev", $"{_prefix}n{i}");
            SystemCommand.Run("ip", "-n", Namespace(i), "link", "set", $"{_prefix}n{i}", "up");
            SystemCommand.Run("ip", "-n", Namespace(i), "link", "set", "lo", "up");
        }
    }

    /// <summary>Creates <paramref name="namespaces"/> namespaces; fails clearly when not root or without iproute2.</summary>
    public static NetworkLab Create(int namespaces)
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException("Network fault tests create network namespaces: run them as root (CI does).");
        return new NetworkLab(namespaces);
    }

    public int Count { get; }

    private string Bridge => $"{_prefix}br";

    /// <summary>The bridge's address, in the test's namespace: where services the namespaces share listen.</summary>
    public string HostAddress => $"{_subnet}.1";

    public string Address(int index) => $"{_subnet}.{index + 2}";

    public string Namespace(int index) => $"{_prefix}-{index}";

    /// <summary>The command a process runs under to live in namespace <paramref name="index"/> (<c>ip netns exec</c> execs it: same process).</summary>
    public IReadOnlyList<string> Inside(int index) => ["ip", "netns", "exec", Namespace(index)];

    /// <summary>Cuts every path between the two groups, both ways; each keeps reaching the host address.</summary>
    public void Partition(IReadOnlyList<int> one, IReadOnlyList<int> other)
    {
        foreach (var a in one)
            foreach (var b in other)
            {
                Blackhole(a, b, "add");
                Blackhole(b, a, "add");
                _blackholes.AddRange([(a, b), (b, a)]);
            }
    }

    /// <summary>Removes every cut made by <see cref="Partition"/>.</summary>
    public void Heal()
    {
        foreach (var (from, to) in _blackholes)
            Blackhole(from, to, "del");
        _blackholes.Clear();
    }

    private void Blackhole(int from, int to, string verb) => SystemCommand.Run("ip", "-n", Namespace(from), "route", verb, "blackhole", $"{Address(to)}/32");

    public void Dispose()
    {
        for (var i = 0; i < Count; i++)
            SystemCommand.TryRun("ip", "netns", "del", Namespace(i)); // takes its veth end, and with it the pair
        SystemCommand.TryRun("ip", "link", "del", Bridge);
    }
}
