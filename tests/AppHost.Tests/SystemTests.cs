using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace MlAspire.AppHost.Tests;

/// <summary>The system as `dotnet run --project AppHost` starts it, on the embedded store: peers join and learn together.</summary>
public sealed class SystemTests(RunningSystem system) : IClassFixture<RunningSystem>
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan GrowthTimeout = TimeSpan.FromSeconds(120);
    private const int MinimumTangleSize = 20;

    [Fact]
    public async Task Every_peer_joins_the_bootstrap()
    {
        using var bootstrap = system.App.CreateHttpClient("bootstrap", "http");
        var targets = await PollAsync(JoinTimeout, async () =>
        {
            using var discovery = JsonDocument.Parse(await bootstrap.GetStringAsync("/sd/peers"));
            var found = discovery.RootElement.EnumerateArray()
                .SelectMany(group => group.GetProperty("targets").EnumerateArray().Select(target => target.GetString()!))
                .ToList();
            return (found.Count >= RunningSystem.PeerCount, found);
        });

        Assert.True(targets.Count >= RunningSystem.PeerCount, $"/sd/peers lists {targets.Count} peers: {string.Join(", ", targets)}");
        Assert.Equal(targets.Count, targets.Distinct().Count());
    }

    [Fact]
    public async Task Every_peer_grows_the_tangle_on_the_embedded_store()
    {
        var statuses = await PollAsync(GrowthTimeout, async () =>
        {
            var current = await Task.WhenAll(RunningSystem.PeerNames.Select(StatusAsync));
            return (current.All(s => s.TangleSize > MinimumTangleSize), current);
        });

        var summary = string.Join("; ", statuses.Select(s => $"{s.Name}: size {s.TangleSize}, published {s.Published}, received {s.Received}"));
        Assert.All(statuses, s => Assert.True(s.TangleSize > MinimumTangleSize, $"tangle sizes after {GrowthTimeout.TotalSeconds} s: {summary}"));
        Assert.All(statuses, s => Assert.Equal("embedded", s.StorageKind));
        Assert.Single(statuses.Select(s => s.GenesisCid).Distinct());
        // Distinct identities: each peer has its own data directory (key, store, replica log).
        Assert.Equal(statuses.Length, statuses.Select(s => s.PeerId).Distinct().Count());
    }

    [Fact]
    public async Task The_bootstrap_refuses_a_call_without_the_join_token()
    {
        // A raw gRPC call (cleartext HTTP/2, one empty ListPeersRequest) with no authorization metadata.
        using var http = new HttpClient { BaseAddress = system.App.GetEndpoint("bootstrap", "grpc") };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mlaspire.bootstrap.v1.Bootstrap/ListPeers")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = response.Headers.TryGetValues("grpc-status", out var inHeaders) ? inHeaders.Single()
            : response.TrailingHeaders.TryGetValues("grpc-status", out var inTrailers) ? inTrailers.Single() : null;
        Assert.Equal("16", status); // UNAUTHENTICATED
    }

    [Fact]
    public void Every_service_process_is_the_service_itself_not_a_launcher()
    {
        foreach (var name in RunningSystem.PeerNames.Prepend("bootstrap").Append("visualization"))
        {
            Assert.True(system.App.ResourceNotifications.TryGetCurrentState(name, out var state), $"{name} has no state");
            var pid = Convert.ToInt32(state.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);
            // What the process runs, as the kernel has it: `dotnet …/bin/Release/net10.0/Peer.dll`, not `dotnet run --project …`;
            // a peer its native program itself when the system runs native peers (RunningSystem.NativePeers).
            var command = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (name.StartsWith("peer-", StringComparison.Ordinal) && RunningSystem.NativePeers)
                Assert.Equal([NativeProgram.PathIn(RunningSystem.PeerFolder)], command);
            else
            {
                Assert.Equal("dotnet", Path.GetFileName(command[0]));
                Assert.Matches(@"/bin/Release/net10\.0/(Bootstrap|Peer|Visualization)\.dll$", command[1]);
            }
        }
    }

    private sealed record PeerStatus(string Name, string PeerId, string GenesisCid, long TangleSize, long Published, long Received, string StorageKind);

    private async Task<PeerStatus> StatusAsync(string peer)
    {
        using var http = system.App.CreateHttpClient(peer, "http");
        using var status = JsonDocument.Parse(await http.GetStringAsync("/"));
        var root = status.RootElement;
        return new PeerStatus(
            peer,
            root.GetProperty("peerId").GetString()!,
            root.GetProperty("genesisCid").GetString()!,
            root.GetProperty("tangleSize").GetInt64(),
            root.GetProperty("published").GetInt64(),
            root.GetProperty("received").GetInt64(),
            root.GetProperty("storageKind").GetString()!);
    }

    /// <summary>
    /// Calls <paramref name="probe"/> every half second until it reports done or the time is up, and returns its last value.
    /// A failing call (a peer still starting) is retried; if no call ever succeeded, the last failure is thrown.
    /// </summary>
    private static async Task<T> PollAsync<T>(TimeSpan timeout, Func<Task<(bool Done, T Value)>> probe)
    {
        var deadline = DateTime.UtcNow + timeout;
        (bool Done, T Value)? last = null;
        Exception? failure = null;
        while (true)
        {
            try
            {
                last = await probe();
                if (last.Value.Done)
                    return last.Value.Value;
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
            {
                failure = e;
            }
            if (DateTime.UtcNow >= deadline)
                return last is { } value ? value.Value : throw new TimeoutException($"no successful call in {timeout.TotalSeconds} s", failure);
            await Task.Delay(500);
        }
    }
}
