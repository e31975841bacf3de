using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>One js-ipfs daemon started by tools/ipfs/start-node.sh in a temporary repo, on free loopback ports.</summary>
public sealed class JsIpfsNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _repo;
    private readonly HttpClient _http;

    private JsIpfsNode(Process process, string repo, int apiPort, int swarmPort)
    {
        _process = process;
        _repo = repo;
        SwarmPort = swarmPort;
        // Infinite: pubsub subscriptions are one long response; each test bounds its calls with a token instead.
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/"), Timeout = Timeout.InfiniteTimeSpan };
        Client = new KuboRpcClient(_http);
    }

    public KuboRpcClient Client { get; }

    /// <summary>The Kubo RPC root, e.g. http://127.0.0.1:5001/.</summary>
    public Uri ApiAddress => _http.BaseAddress!;

    public int SwarmPort { get; }

    public static async Task<JsIpfsNode> StartAsync(string startScript, TimeSpan readyTimeout)
    {
        var repo = Directory.CreateTempSubdirectory("mlaspire-jsipfs-").FullName;
        var (apiPort, swarmPort) = FreeLoopbackPorts();
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { startScript, repo, apiPort.ToString(), swarmPort.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var node = new JsIpfsNode(process, repo, apiPort, swarmPort);
        try
        {
            await ready.Task.WaitAsync(readyTimeout);
            return node;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            await node.DisposeAsync();
            string log;
            lock (output)
                log = output.ToString();
            throw new InvalidOperationException($"js-ipfs node (api {apiPort}, swarm {swarmPort}) did not print 'Daemon is ready': {e.Message}. Output:\n{log}", e);
        }
    }

    /// <summary>Kills the node (the script exec'd into it, so this is the node and anything it spawned) and deletes its repo.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _http.Dispose();
        Directory.Delete(_repo, recursive: true);
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
