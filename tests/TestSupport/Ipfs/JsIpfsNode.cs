using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>One js-ipfs daemon started by tools/ipfs/start-node.sh in a temporary repo, on free loopback ports.</summary>
public sealed class JsIpfsNode : IAsyncDisposable
{
    private readonly string _startScript;
    private readonly string _repo;
    private readonly string? _swarmKey;
    private readonly Placement? _placement;
    private readonly HttpClient _http;
    private Process? _process;

    /// <summary>Where a node runs instead of loopback: an address to bind its API and swarm to, and the command it runs under (a <c>NetworkLab</c> namespace).</summary>
    public sealed record Placement(string Host, IReadOnlyList<string> Wrapper);

    private JsIpfsNode(string startScript, string repo, int apiPort, int swarmPort, string? swarmKey, Placement? placement)
    {
        _startScript = startScript;
        _repo = repo;
        _swarmKey = swarmKey;
        _placement = placement;
        SwarmPort = swarmPort;
        // Infinite: pubsub subscriptions are one long response; each test bounds its calls with a token instead.
        _http = new HttpClient { BaseAddress = new Uri($"http://{placement?.Host ?? "127.0.0.1"}:{apiPort}/"), Timeout = Timeout.InfiniteTimeSpan };
        Client = new KuboRpcClient(_http);
    }

    public KuboRpcClient Client { get; }

    /// <summary>The Kubo RPC root, e.g. http://127.0.0.1:5001/.</summary>
    public Uri ApiAddress => _http.BaseAddress!;

    public int SwarmPort { get; }

    /// <summary>The launcher's process (bash, with the node as its child); null before the node starts.</summary>
    public int? ProcessId => _process?.Id;

    /// <param name="swarmKey">64 hex characters: the node joins that private network (start-node.sh's IPFS_SWARM_KEY_HEX); null, the public one.</param>
    public static async Task<JsIpfsNode> StartAsync(string startScript, TimeSpan readyTimeout, string? swarmKey = null, Placement? placement = null)
    {
        var (apiPort, swarmPort) = FreeLoopbackPorts();
        var node = new JsIpfsNode(startScript, Directory.CreateTempSubdirectory("mlaspire-jsipfs-").FullName, apiPort, swarmPort, swarmKey, placement);
        try
        {
            await node.LaunchAsync(readyTimeout);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="count"/> nodes at once. When one fails, those that came up are stopped before the error
    /// propagates, so no node is ever left behind.
    /// </summary>
    public static async Task<IReadOnlyList<JsIpfsNode>> StartManyAsync(string startScript, int count, TimeSpan readyTimeout, string? swarmKey = null)
    {
        var starting = Enumerable.Range(0, count).Select(_ => StartAsync(startScript, readyTimeout, swarmKey)).ToList();
        try
        {
            return await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
                await started.Result.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the node as a crash would (SIGKILL), keeping its repo for <see cref="RestartAsync"/>.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>
    /// Starts the node again on the same repo and ports, as a supervisor would. js-ipfs keeps a killed daemon's repo
    /// lock until it goes stale (about 20 s), and refuses to start meanwhile: this retries until it is ready.
    /// </summary>
    public async Task RestartAsync(TimeSpan readyTimeout)
    {
        var deadline = DateTime.UtcNow + readyTimeout;
        while (true)
        {
            try
            {
                await LaunchAsync(deadline - DateTime.UtcNow);
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow + TimeSpan.FromSeconds(2) < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
        }
    }

    private async Task LaunchAsync(TimeSpan readyTimeout)
    {
        string[] command = [.. _placement?.Wrapper ?? [], "bash", _startScript, _repo, ApiAddress.Port.ToString(), SwarmPort.ToString()];
        var start = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("IPFS_SWARM_KEY_HEX");
        if (_placement is not null)
            start.Environment["IPFS_HOST"] = _placement.Host;
        if (_swarmKey is not null)
            start.Environment["IPFS_SWARM_KEY_HEX"] = _swarmKey;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Collect(string? line)
        {
            if (line is null)
                return;
            lock (output)
                output.AppendLine(line);
            if (line.Contains("Daemon is ready", StringComparison.Ordinal))
                ready.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("the node exited before it was ready"));
        _process?.Dispose();
        _process = process;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(readyTimeout);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            Kill();
            string log;
            lock (output)
                log = output.ToString();
            throw new InvalidOperationException($"js-ipfs node (api {ApiAddress.Port}, swarm {SwarmPort}) did not print 'Daemon is ready': {e.Message}. Output:\n{log}", e);
        }
    }

    /// <summary>Kills the node (the script exec'd into it, so this is the node and anything it spawned) and deletes its repo.</summary>
    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        _http.Dispose();
        Directory.Delete(_repo, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Two distinct free ports: both listeners are held open together so the OS cannot hand out one twice.</summary>
    private static (int Api, int Swarm) FreeLoopbackPorts()
    {
        var api = new TcpListener(IPAddress.Loopback, 0);
        var swarm = new TcpListener(IPAddress.Loopback, 0);
        api.Start();
        swarm.Start();
        try
        {
            return (((IPEndPoint)api.LocalEndpoint).Port, ((IPEndPoint)swarm.LocalEndpoint).Port);
        }
        finally
        {
            api.Stop();
            swarm.Stop();
        }
    }
}
