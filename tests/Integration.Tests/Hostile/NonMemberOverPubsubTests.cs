using MlAspire.Storage.Tests.Ipfs;
using MlAspire.Storage.Transactions;
using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// In IPFS mode anyone whose node reaches a peer's node can publish on the tangle's pubsub topic (the genesis CID):
/// a transaction signed by a key that never joined, published from a bare js-ipfs node, must be rejected.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class NonMemberOverPubsubTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private readonly LocalCluster _cluster = new();
    private readonly AttackReport _report = new(output);
    private IReadOnlyList<JsIpfsNode> _nodes = [];

    public async Task InitializeAsync() => _nodes = await JsIpfsNodes.StartAsync(2);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        foreach (var node in _nodes)
            await node.DisposeAsync();
    }

    [Fact]
    public async Task A_transaction_signed_by_a_non_member_and_published_on_the_genesis_topic_is_rejected_as_non_member()
    {
        var (victimNode, outsiderNode) = (_nodes[0], _nodes[1]);
        _cluster.StartBootstrap();
        var victim = _cluster.StartPeer("ipfs-victim", ipfsApi: victimNode.ApiAddress.ToString());
        await Eventually.TrueAsync(async () => (await victim.StatusAsync()).TangleSize >= 3, Patience, _cluster.Logs);
        var status = await victim.StatusAsync();
        var genesis = MlAspire.Storage.Content.Cid.Parse(status.GenesisCid);

        // The outsider needs no membership: its node dials the victim's node, holds the blocks, and publishes.
        using var timeout = new CancellationTokenSource(Patience);
        await outsiderNode.Client.SwarmConnectAsync(await JsIpfsNodes.DialAddressAsync(victimNode), timeout.Token);
        using var outsider = PeerKey.Create();
        var forge = new TransactionForge(genesis, MlAspire.Tangle.Learning.ModelShape.LogisticRegression(784, 10), new BlockShelf(), _ => null); // no credential: it never joined
        var weights = forge.PutRandomWeights(new Random(1));
        forge.Blocks.TryGet(weights, out var weightsBlock);
        Assert.Equal(weights.ToString(), await outsiderNode.Client.BlockPutAsync(weightsBlock, pin: true, timeout.Token));
        var forged = forge.Sign(outsider, [genesis], weights);
        // As a publisher must: the victim pins the transaction block, which only the outsider's node can supply.
        Assert.Equal(forged.Cid.ToString(), await outsiderNode.Client.DagPutAsync(forged.Bytes, "dag-json", "dag-json", pin: false, timeout.Token));
        _report.Note($"publishing {forged.Cid} signed by {outsider.Id}, which never joined, on topic {genesis} from a bare js-ipfs node");

        // Pubsub is best effort and the mesh takes a moment to form: publish until the victim decides.
        var decided = await Eventually.WithinAsync(async () =>
        {
            await outsiderNode.Client.PubsubPublishAsync(genesis.ToString(), forged.Bytes, timeout.Token);
            await Task.Delay(750);
            return await victim.RejectedAsync(RejectionLabels.NonMember) > 0 || (await victim.TransactionsAsync()).Any(t => t.Cid == forged.Cid.ToString());
        }, Patience);
        var inReplica = (await victim.TransactionsAsync()).FirstOrDefault(t => t.Cid == forged.Cid.ToString());
        _report.Note($"{(decided ? "" : "undecided; ")}in the victim's replica: {(inReplica is null ? "no" : $"yes, at sequence {inReplica.Sequence}")}; {await victim.DescribeAsync()}");

        Assert.True(await victim.RejectedAsync(RejectionLabels.NonMember) > 0, $"not counted as '{RejectionLabels.NonMember}'\n{_report}");
        Assert.True(inReplica is null, $"the non-member's transaction is in the replica\n{_report}");
    }
}
