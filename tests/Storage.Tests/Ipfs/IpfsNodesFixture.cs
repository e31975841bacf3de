using System.Diagnostics;

namespace MlAspire.Storage.Tests.Ipfs;

// Run alone: two starting nodes take both cores for seconds, which would upset timing-sensitive tests running alongside.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IpfsNodesCollection : ICollectionFixture<IpfsNodesFixture>
{
    public const string Name = "js-ipfs nodes";
}

/// <summary>
/// Two real js-ipfs nodes (tools/ipfs), connected to each other. Installs js-ipfs first when needed; when that is
/// impossible the fixture fails, so that a missing node never passes for a skipped test.
/// </summary>
public sealed class IpfsNodesFixture : IAsyncLifetime
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private JsIpfsNode? _a;
    private JsIpfsNode? _b;

    public JsIpfsNode A => _a ?? throw new InvalidOperationException("not started");

    public JsIpfsNode B => _b ?? throw new InvalidOperationException("not started");

    public string PeerIdA { get; private set; } = "";

    public string PeerIdB { get; private set; } = "";

    /// <summary>tools/ipfs, installed and patched by its setup.sh.</summary>
    public string Tools { get; private set; } = "";

    /// <summary>tools/ipfs/start-node.sh, for tests that start nodes of their own.</summary>
    public string StartScript => Path.Combine(Tools, "start-node.sh");

    public async Task InitializeAsync()
    {
        Tools = Path.Combine(FindRepositoryRoot(), "tools", "ipfs");
        await RunSetupAsync(Path.Combine(Tools, "setup.sh"));
        var jsipfs = Path.Combine(Tools, "node_modules", ".bin", "jsipfs");
        if (!File.Exists(jsipfs))
            throw new InvalidOperationException($"{jsipfs} is missing after tools/ipfs/setup.sh: the IPFS tests need js-ipfs");

        var nodes = await JsIpfsNode.StartManyAsync(StartScript, 2, ReadyTimeout);
        (_a, _b) = (nodes[0], nodes[1]);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var idA = await A.Client.IdAsync(timeout.Token);
        var idB = await B.Client.IdAsync(timeout.Token);
        PeerIdA = idA.PeerId;
        PeerIdB = idB.PeerId;
        await B.Client.SwarmConnectAsync($"/ip4/127.0.0.1/tcp/{A.SwarmPort}/p2p/{PeerIdA}", timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_a is not null)
            await _a.DisposeAsync();
        if (_b is not null)
            await _b.DisposeAsync();
    }

    private static async Task RunSetupAsync(string setupScript)
    {
        using var setup = Process.Start(new ProcessStartInfo("bash", [setupScript])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start bash");
        var stdout = setup.StandardOutput.ReadToEndAsync();
        var stderr = setup.StandardError.ReadToEndAsync();
        await setup.WaitForExitAsync();
        if (setup.ExitCode != 0)
            throw new InvalidOperationException($"{setupScript} failed with exit code {setup.ExitCode} (it needs node and npm):\n{await stdout}{await stderr}");
    }

    internal static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "tools", "ipfs", "start-node.sh")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no tools/ipfs/start-node.sh above {AppContext.BaseDirectory}");
    }
}
