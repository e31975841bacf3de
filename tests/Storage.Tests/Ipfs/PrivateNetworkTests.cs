using System.Security.Cryptography;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>
/// Private IPFS networks on real js-ipfs nodes (start-node.sh's IPFS_SWARM_KEY_HEX and setup.sh's swarm-key patch):
/// two nodes with the same key form a network; a node with another key, or with none (the fixture's public nodes),
/// cannot connect to them in either direction.
/// </summary>
[Collection(IpfsNodesCollection.Name)]
public sealed class PrivateNetworkTests(IpfsNodesFixture nodes, PrivateNetworkTests.PrivateNodes network) : IClassFixture<PrivateNetworkTests.PrivateNodes>, IDisposable
{
    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(60));

    private CancellationToken Token => _testTimeout.Token;

    public void Dispose() => _testTimeout.Dispose();

    [Fact]
    public async Task Nodes_with_the_same_key_connect_and_exchange_blocks_and_pubsub_messages()
    {
        var (first, second) = (network.Members[0], network.Members[1]);
        await second.Client.SwarmConnectAsync(await AddressAsync(first), Token);

        var block = RandomNumberGenerator.GetBytes(1_000);
        var cid = await first.Client.BlockPutAsync(block, pin: false, Token);
        Assert.Equal(block, await second.Client.BlockGetAsync(cid, TimeSpan.FromSeconds(10), Token));

        var topic = $"mlaspire-test/{Guid.NewGuid()}";
        using var subscription = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var received = Task.Run(async () =>
        {
            await foreach (var message in second.Client.PubsubSubscribeAsync(topic, subscription.Token))
            {
                if (message.Data.AsSpan().SequenceEqual(block))
                    return message;
            }
            throw new InvalidOperationException("the subscription ended");
        });
        // The gossipsub mesh forms about a second after subscribing; publish until the message gets through.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Token);
        while (!received.IsCompleted)
        {
            await first.Client.PubsubPublishAsync(topic, block, Token);
            await Task.WhenAny(received, Task.Delay(TimeSpan.FromMilliseconds(500), Token));
        }
        Assert.Equal((await first.Client.IdAsync(Token)).PeerId, (await received).From);
        await subscription.CancelAsync();
    }

    [Fact]
    public async Task A_node_with_another_key_or_without_one_cannot_connect_either_way()
    {
        var member = network.Members[0];
        var outsiders = new[] { network.Stranger, nodes.A };
        var memberAddress = await AddressAsync(member);

        // Each dial is given up by the dialling node (js-ipfs waits up to 10 s); all four at once.
        var attempts = outsiders.SelectMany(outsider => new[]
        {
            RefusedAsync(outsider, memberAddress),
            AddressAsync(outsider).ContinueWith(address => RefusedAsync(member, address.Result), Token).Unwrap(),
        });
        await Task.WhenAll(attempts);

        var memberPeers = (await member.Client.SwarmPeersAsync(Token)).Select(peer => peer.PeerId).ToList();
        foreach (var outsider in outsiders)
            Assert.DoesNotContain((await outsider.Client.IdAsync(Token)).PeerId, memberPeers);
    }

    private async Task<string> AddressAsync(JsIpfsNode node) =>
        $"/ip4/127.0.0.1/tcp/{node.SwarmPort}/p2p/{(await node.Client.IdAsync(Token)).PeerId}";

    private async Task RefusedAsync(JsIpfsNode dialler, string address)
    {
        var error = await Assert.ThrowsAsync<IpfsApiException>(() => dialler.Client.SwarmConnectAsync(address, Token));
        Assert.Equal("swarm/connect", error.Endpoint);
    }

    /// <summary>Two nodes sharing one swarm key, and a stranger with another, started once for the class.</summary>
    public sealed class PrivateNodes : IAsyncLifetime
    {
        private IReadOnlyList<JsIpfsNode> _members = [];
        private JsIpfsNode? _stranger;

        public IReadOnlyList<JsIpfsNode> Members => _members;

        public JsIpfsNode Stranger => _stranger ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            var startScript = Path.Combine(IpfsNodesFixture.FindRepositoryRoot(), "tools", "ipfs", "start-node.sh");
            var members = JsIpfsNode.StartManyAsync(startScript, 2, IpfsNodesFixture.ReadyTimeout, NewKey());
            var stranger = JsIpfsNode.StartAsync(startScript, IpfsNodesFixture.ReadyTimeout, NewKey());
            try
            {
                await Task.WhenAll(members, stranger);
            }
            finally
            {
                // Keep whatever came up, so that DisposeAsync stops it even when the other start failed.
                _members = members.IsCompletedSuccessfully ? members.Result : [];
                _stranger = stranger.IsCompletedSuccessfully ? stranger.Result : null;
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var node in _members.Append(_stranger).OfType<JsIpfsNode>())
                await node.DisposeAsync();
        }

        private static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    }
}
