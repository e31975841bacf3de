using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>The client against two real js-ipfs nodes; content added on one node is fetched from the other over bitswap.</summary>
[Collection(IpfsNodesCollection.Name)]
public sealed class KuboRpcClientTests(IpfsNodesFixture nodes) : IDisposable
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(30));

    private CancellationToken Token => _testTimeout.Token;

    private KuboRpcClient A => nodes.A.Client;

    private KuboRpcClient B => nodes.B.Client;

    public void Dispose() => _testTimeout.Dispose();

    [Fact]
    public async Task Id_and_swarm_peers_show_the_nodes_to_each_other()
    {
        var idA = await A.IdAsync(Token);

        Assert.Equal(nodes.PeerIdA, idA.PeerId);
        Assert.Contains($"/ip4/127.0.0.1/tcp/{nodes.A.SwarmPort}/p2p/{idA.PeerId}", idA.Addresses);
        Assert.Contains(await A.SwarmPeersAsync(Token), p => p.PeerId == nodes.PeerIdB);
        Assert.Contains(await B.SwarmPeersAsync(Token), p => p.PeerId == nodes.PeerIdA);
    }

    [Fact]
    public async Task Ping_answers_over_a_live_connection_and_disconnect_closes_it()
    {
        Assert.True(await A.PingAsync(nodes.PeerIdB, Token));

        await A.SwarmDisconnectAsync($"/p2p/{nodes.PeerIdB}", Token);
        try
        {
            Assert.DoesNotContain(await A.SwarmPeersAsync(Token), p => p.PeerId == nodes.PeerIdB);
        }
        finally
        {
            await A.SwarmConnectAsync($"/ip4/127.0.0.1/tcp/{nodes.B.SwarmPort}/p2p/{nodes.PeerIdB}", Token); // the other tests share these nodes
        }
        Assert.True(await A.PingAsync(nodes.PeerIdB, Token));
    }

    [Theory]
    [InlineData(1_000, "bafkrei")] // one chunk: a raw-codec CID
    [InlineData(1_000_000, "bafybei")] // several chunks: a dag-pb root
    public async Task Content_added_on_one_node_is_read_on_the_other(int size, string cidPrefix)
    {
        var content = RandomNumberGenerator.GetBytes(size);

        var cid = await A.AddAsync(content, pin: false, Token);

        Assert.StartsWith(cidPrefix, cid);
        Assert.Equal(content, await B.CatAsync(cid, FetchTimeout, Token));
    }

    [Fact]
    public async Task Blocks_put_on_one_node_are_read_on_both_with_the_same_cid_as_a_small_add()
    {
        var data = RandomNumberGenerator.GetBytes(5_000);

        var cid = await A.BlockPutAsync(data, pin: false, Token);

        Assert.Equal(Cid.Compute(ContentCodec.Raw, data).ToString(), cid);
        Assert.Equal(cid, await A.AddAsync(data, pin: false, Token));
        Assert.Equal(data, await A.BlockGetAsync(cid, FetchTimeout, Token));
        Assert.Equal(data, await B.BlockGetAsync(cid, FetchTimeout, Token));
        Assert.Equal(data.Length, await A.BlockStatAsync(cid, Token));
    }

    [Fact]
    public async Task Dag_json_documents_keep_their_links()
    {
        var weights = await A.BlockPutAsync(RandomNumberGenerator.GetBytes(100), pin: false, Token);
        var document = Encoding.UTF8.GetBytes($$$"""{"created":"{{{Guid.NewGuid()}}}","weights":{"/":"{{{weights}}}"}}""");

        var cid = await A.DagPutAsync(document, "dag-json", "dag-json", pin: false, Token);

        Assert.StartsWith("bagu", cid); // base32 CIDv1, dag-json codec
        Assert.Equal(Cid.Compute(ContentCodec.DagJson, document).ToString(), cid); // keys were already sorted: same bytes
        using var fetched = JsonDocument.Parse(await B.DagGetAsync(cid, FetchTimeout, Token));
        Assert.Equal(weights, fetched.RootElement.GetProperty("weights").GetProperty("/").GetString());
    }

    [Fact]
    public async Task Pins_are_added_listed_and_removed_and_removing_a_missing_pin_says_not_pinned()
    {
        var cid = await A.BlockPutAsync(RandomNumberGenerator.GetBytes(100), pin: false, Token);

        Assert.False(await A.IsPinnedAsync(cid, "recursive", Token));
        await A.PinAddAsync(cid, recursive: true, Token);
        Assert.Contains(cid, await A.PinLsAsync(Token));
        Assert.True(await A.IsPinnedAsync(cid, "recursive", Token));
        Assert.False(await A.IsPinnedAsync(cid, "direct", Token));

        Assert.Equal(PinRemoval.Removed, await A.PinRmAsync(cid, Token));
        Assert.DoesNotContain(cid, await A.PinLsAsync(Token));
        Assert.Equal(PinRemoval.NotPinned, await A.PinRmAsync(cid, Token));
        var neverStored = Cid.Compute(ContentCodec.Raw, RandomNumberGenerator.GetBytes(100)).ToString();
        Assert.Equal(PinRemoval.NotPinned, await A.PinRmAsync(neverStored, Token));
        Assert.False(await A.IsPinnedAsync(cid, "recursive", Token));
        Assert.False(await A.IsPinnedAsync(neverStored, "recursive", Token)); // not even held: no fetch, a plain no
    }

    [Fact]
    public async Task Garbage_collection_removes_unpinned_blocks_and_keeps_pinned_ones()
    {
        var kept = await A.BlockPutAsync(RandomNumberGenerator.GetBytes(100), pin: false, Token);
        var dropped = await A.BlockPutAsync(RandomNumberGenerator.GetBytes(100), pin: false, Token);
        await A.PinAddAsync(kept, recursive: true, Token);

        var removed = await A.RepoGcAsync(Token);

        Assert.Contains(dropped, removed);
        Assert.DoesNotContain(kept, removed);
        Assert.Equal(100, await A.BlockStatAsync(kept, Token));
        Assert.Equal(PinRemoval.Removed, await A.PinRmAsync(kept, Token));
    }

    [Fact]
    public async Task A_block_put_with_pin_is_pinned_at_once_and_survives_garbage_collection()
    {
        var pinned = await A.BlockPutAsync(RandomNumberGenerator.GetBytes(100), pin: true, Token);
        var unpinned = await A.BlockPutAsync(RandomNumberGenerator.GetBytes(100), pin: false, Token);

        Assert.Contains(pinned, await A.PinLsAsync(Token));
        Assert.DoesNotContain(unpinned, await A.PinLsAsync(Token));
        var removed = await A.RepoGcAsync(Token);

        Assert.Contains(unpinned, removed);
        Assert.DoesNotContain(pinned, removed);
        Assert.Equal(100, await A.BlockStatAsync(pinned, Token));
        Assert.Equal(PinRemoval.Removed, await A.PinRmAsync(pinned, Token));
    }

    [Fact]
    public async Task Pinning_a_cid_nobody_has_ends_when_the_node_gives_up_at_the_call_deadline()
    {
        var deadline = TimeSpan.FromSeconds(2);
        using var http = new HttpClient { BaseAddress = nodes.B.ApiAddress, Timeout = Timeout.InfiniteTimeSpan };
        var client = new KuboRpcClient(http, callDeadline: deadline);
        var missing = Cid.Compute(ContentCodec.Raw, RandomNumberGenerator.GetBytes(100)).ToString();
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.PinAddAsync(missing, recursive: true, Token));

        // The node itself ended the call (the timeout argument), well before this client's own grace period ran out.
        Assert.IsType<IpfsApiException>(error.InnerException);
        Assert.Contains(missing, error.Message);
        Assert.True(clock.Elapsed >= deadline - TimeSpan.FromMilliseconds(100) && clock.Elapsed < deadline + TimeSpan.FromSeconds(5), $"took {clock.Elapsed}"); // the node ended it: see the inner exception
        Assert.DoesNotContain(missing, await B.PinLsAsync(Token));
    }

    [Fact]
    public async Task Repo_stat_counts_blocks_and_reports_the_configured_cap()
    {
        var before = await A.RepoStatAsync(Token);
        await A.BlockPutAsync(RandomNumberGenerator.GetBytes(10_000), pin: false, Token);

        var after = await A.RepoStatAsync(Token);

        Assert.Equal(10L * 1024 * 1024 * 1024, after.StorageMax); // start-node.sh's default StorageMax, "10GB"
        Assert.Equal(before.NumObjects + 1, after.NumObjects);
        Assert.True(after.RepoSize >= before.RepoSize + 10_000, $"repo grew from {before.RepoSize} to {after.RepoSize} bytes");
    }

    [Fact]
    public async Task A_subscriber_on_one_node_receives_the_exact_bytes_published_on_the_other()
    {
        var topic = $"mlaspire-test/{Guid.NewGuid()}";
        var payload = RandomNumberGenerator.GetBytes(300);
        using var subscription = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var received = Task.Run(async () =>
        {
            await foreach (var message in B.PubsubSubscribeAsync(topic, subscription.Token))
            {
                if (message.Data.AsSpan().SequenceEqual(payload))
                    return message;
            }
            throw new InvalidOperationException("the subscription ended");
        });

        // The gossipsub mesh forms about a second after subscribing; publish until the message gets through.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Token);
        while (!received.IsCompleted)
        {
            await A.PubsubPublishAsync(topic, payload, Token);
            await Task.WhenAny(received, Task.Delay(TimeSpan.FromMilliseconds(500), Token));
        }
        var delivered = await received;
        await subscription.CancelAsync();

        Assert.Equal(nodes.PeerIdA, delivered.From);
        Assert.Equal([topic], delivered.Topics);
        Assert.NotEmpty(delivered.Seqno);
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("block/get")]
    [InlineData("dag/get")]
    public async Task Fetching_a_cid_nobody_has_times_out_quickly(string endpoint)
    {
        var missing = Cid.Compute(ContentCodec.Raw, RandomNumberGenerator.GetBytes(100)).ToString();
        var timeout = TimeSpan.FromSeconds(1);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => endpoint switch
        {
            "cat" => B.CatAsync(missing, timeout, Token),
            "block/get" => B.BlockGetAsync(missing, timeout, Token),
            _ => B.DagGetAsync(missing, timeout, Token),
        });

        Assert.Contains(missing, error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}"); // a hang guard, not a speed target
    }

    [Fact]
    public async Task A_call_the_node_rejects_becomes_an_api_exception_with_the_node_message()
    {
        var error = await Assert.ThrowsAsync<IpfsApiException>(() => A.CatAsync("not-a-cid", FetchTimeout, Token));

        Assert.Equal("cat", error.Endpoint);
        Assert.True((int)error.StatusCode is >= 400 and < 600, $"status {error.StatusCode}");
        Assert.False(string.IsNullOrEmpty(error.Error?.Message));
    }
}
