using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>
/// The client against a node that accepts connections and never answers (a hung or hostile node): every kind of call
/// ends at its deadline with a <see cref="TimeoutException"/> naming the call and the node, instead of hanging for ever.
/// </summary>
public sealed class KuboRpcDeadlineTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    /// <summary>What the client adds to a deadline it also gives the node (KuboRpcClient.ServerTimeoutGrace).</summary>
    private static readonly TimeSpan ServerTimeoutGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far a measured duration may stray from the deadline: timers fire a little early (a few ms) and, on a busy
    /// shared machine, late. The bounds tell "ended at the deadline" from "ended at once" and "hung", nothing finer.
    /// </summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a test waits for a call that should time out before calling it hung.</summary>
    private static readonly TimeSpan Hung = TimeSpan.FromSeconds(20);

    private readonly SilentNode _node = new();
    private HttpClient _http = null!;
    private KuboRpcClient _client = null!;

    public Task InitializeAsync()
    {
        _http = new HttpClient { BaseAddress = _node.Address, Timeout = Timeout.InfiniteTimeSpan };
        _client = new KuboRpcClient(_http, callDeadline: Deadline, gcDeadline: Deadline);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
    }

    [Theory]
    [InlineData("id")]
    [InlineData("swarm/connect")]
    [InlineData("swarm/disconnect")]
    [InlineData("ping")]
    [InlineData("add")]
    [InlineData("block/put")]
    [InlineData("dag/put")]
    [InlineData("pin/ls")]
    [InlineData("pin/rm")]
    [InlineData("repo/stat")]
    [InlineData("repo/gc")]
    [InlineData("pubsub/pub")]
    [InlineData("pubsub/sub")]
    public async Task A_call_to_a_silent_node_times_out_at_the_call_deadline(string endpoint)
    {
        var cid = Cid.Compute(ContentCodec.Raw, RandomNumberGenerator.GetBytes(100)).ToString();
        var data = RandomNumberGenerator.GetBytes(100);
        var clock = Stopwatch.StartNew();

        var error = await ExpectTimeoutAsync(() => endpoint switch
        {
            "id" => _client.IdAsync(CancellationToken.None),
            "swarm/connect" => _client.SwarmConnectAsync($"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", CancellationToken.None),
            "swarm/disconnect" => _client.SwarmDisconnectAsync("/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", CancellationToken.None),
            "ping" => _client.PingAsync("12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", CancellationToken.None),
            "add" => _client.AddAsync(data, pin: false, CancellationToken.None),
            "block/put" => _client.BlockPutAsync(data, pin: true, CancellationToken.None),
            "dag/put" => _client.DagPutAsync("{}"u8.ToArray(), "dag-json", "dag-json", pin: false, CancellationToken.None),
            "pin/ls" => _client.PinLsAsync(CancellationToken.None),
            "pin/rm" => _client.PinRmAsync(cid, CancellationToken.None),
            "repo/stat" => _client.RepoStatAsync(CancellationToken.None),
            "repo/gc" => _client.RepoGcAsync(CancellationToken.None),
            "pubsub/pub" => _client.PubsubPublishAsync("topic", data, CancellationToken.None),
            _ => _client.PubsubSubscribeAsync("topic", CancellationToken.None).GetAsyncEnumerator().MoveNextAsync().AsTask(),
        });

        AssertNamesCallAndNode(error, endpoint);
        Assert.True(clock.Elapsed >= Deadline - Early && clock.Elapsed < Deadline + Slack, $"took {clock.Elapsed}");
    }

    /// <summary>Calls that may wait for the network also tell the node to give up, and wait a grace period longer themselves.</summary>
    [Theory]
    [InlineData("pin/add")]
    [InlineData("block/get")]
    [InlineData("cat")]
    [InlineData("dag/get")]
    public async Task A_fetch_from_a_silent_node_times_out_a_grace_period_after_its_timeout(string endpoint)
    {
        var cid = Cid.Compute(ContentCodec.Raw, RandomNumberGenerator.GetBytes(100)).ToString();
        var clock = Stopwatch.StartNew();

        var error = await ExpectTimeoutAsync(() => endpoint switch
        {
            "pin/add" => _client.PinAddAsync(cid, recursive: false, CancellationToken.None),
            "block/get" => _client.BlockGetAsync(cid, Deadline, CancellationToken.None),
            "cat" => _client.CatAsync(cid, Deadline, CancellationToken.None),
            _ => _client.DagGetAsync(cid, Deadline, CancellationToken.None),
        });

        AssertNamesCallAndNode(error, endpoint);
        Assert.Contains(cid, error.Message);
        var expected = Deadline + ServerTimeoutGrace;
        Assert.True(clock.Elapsed >= expected - Early && clock.Elapsed < expected + Slack, $"took {clock.Elapsed}");
        Assert.Contains($"timeout={(long)Deadline.TotalMilliseconds}ms", _node.RequestHeads.Single(head => head.Contains($"/api/v0/{endpoint}?", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_call_the_caller_cancels_stays_a_cancellation()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.IdAsync(cancel.Token));

        Assert.True(clock.Elapsed < Deadline + Slack, $"took {clock.Elapsed}"); // not the call deadline: the caller's 200 ms
    }

    private static async Task<TimeoutException> ExpectTimeoutAsync(Func<Task> call)
    {
        var attempt = Assert.ThrowsAsync<TimeoutException>(call);
        Assert.True(await Task.WhenAny(attempt, Task.Delay(Hung)) == attempt, $"the call still hangs after {Hung.TotalSeconds} s");
        return await attempt;
    }

    private void AssertNamesCallAndNode(TimeoutException error, string endpoint)
    {
        Assert.Contains($"IPFS {endpoint}", error.Message);
        Assert.Contains(_node.Address.ToString(), error.Message);
    }

    /// <summary>A TCP listener that accepts every connection, reads what it is sent, and never answers.</summary>
    private sealed class SilentNode : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _connections = [];
        private readonly List<string> _heads = [];
        private readonly Task _accepting;

        public SilentNode()
        {
            _listener.Start();
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _accepting = AcceptAsync();
        }

        public Uri Address { get; }

        /// <summary>The first bytes of each request received (its request line and headers).</summary>
        public IReadOnlyList<string> RequestHeads
        {
            get
            {
                lock (_heads)
                    return [.. _heads];
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                    lock (_connections)
                        _connections.Add(connection);
                    _ = ReadAsync(connection);
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed.
            }
        }

        private async Task ReadAsync(TcpClient connection)
        {
            var buffer = new byte[8192];
            try
            {
                var read = await connection.GetStream().ReadAsync(buffer, _stop.Token);
                lock (_heads)
                    _heads.Add(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
                while (await connection.GetStream().ReadAsync(buffer, _stop.Token) > 0)
                {
                    // Drain request bodies so that the client is never blocked sending: only the answer is missing.
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The client gave up, or the node is disposed.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            lock (_connections)
                _connections.ForEach(connection => connection.Dispose());
            _stop.Dispose();
        }
    }
}
