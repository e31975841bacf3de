using Grpc.Core;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using Learning = MlAspire.Tangle.Learning;
using Training = MlAspire.Tangle.Training;

namespace MlAspire.Bootstrap.Tests;

public sealed class GenesisTests
{
    [Fact]
    public async Task Join_hands_out_genesis_blocks_that_hash_to_the_cid_and_verify()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();

        using var peer = new TestMember();
        var client = host.CreateGrpcClient();
        var response = await client.JoinAsync(peer.Join());

        var genesisCid = Cid.Parse(response.GenesisCid);
        var transaction = response.GenesisTransaction.ToByteArray();
        var weights = await GenesisWeightsAsync(client, response);
        Assert.Equal(ContentCodec.DagJson, genesisCid.Codec);
        Assert.True(genesisCid.Matches(transaction));
        var document = TransactionVerifier.VerifyGenesis(genesisCid, transaction);
        Assert.True(document.IsGenesis);
        Assert.Empty(document.Parents);
        Assert.Equal(PeerKey.Check.Valid, PeerKey.Verify(document.CreatorKey, TransactionCodec.EncodePayload(document), document.Signature));
        Assert.Equal(PeerKey.IdOf(document.CreatorKey), document.CreatorId);
        Assert.Equal(ContentCodec.Raw, document.Weights.Codec);
        Assert.True(document.Weights.Matches(weights));

        // The default model, initialized from the default seed.
        var shape = Learning.ModelShape.Mlp(784, 64, 10);
        var decoded = Learning.WeightCodec.Decode(weights);
        Assert.Equal(shape, decoded.Shape);
        Assert.Equal(Learning.Models.Create(shape).Initialize(new Random(7)).ToArray(), decoded.ToArray());
    }

    [Fact]
    public async Task Join_hands_out_the_configured_tangle_and_training_parameters()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?>
        {
            ["Bootstrap:Model:Architecture"] = "logreg",
            ["Bootstrap:Learning:TipSelector"] = "CumulativeWeight",
            ["Bootstrap:Learning:Alpha"] = "0.1",
            ["Bootstrap:Learning:ParticleDepth"] = "",
            ["Bootstrap:Learning:ParentCount"] = "2",
            ["Bootstrap:Learning:Aggregator"] = "multi-krum:1:3",
            ["Bootstrap:Learning:ScreeningStandardErrors"] = "1.5",
            ["Bootstrap:Learning:RatedApprovers"] = "7",
            ["Bootstrap:Learning:Sgd:Epochs"] = "3",
            ["Bootstrap:Learning:PublishRule"] = "Always",
            ["Bootstrap:Training:Interval"] = "00:00:02",
            ["Bootstrap:Training:ActiveQuota"] = "0.5",
            ["Bootstrap:HeartbeatInterval"] = "00:00:07",
            ["Bootstrap:Data:Slots"] = "4",
            ["Bootstrap:Data:Partition"] = "shards:2",
            ["Bootstrap:Data:Seed"] = "11",
        }).Start();

        using var peer = new TestMember();
        var client = host.CreateGrpcClient();
        var response = await client.JoinAsync(peer.Join());

        Assert.Equal("input:784, dense:10, softmax", response.Tangle.Model);
        Assert.Equal(Learning.ModelShape.LogisticRegression(784, 10), Learning.WeightCodec.Decode(await GenesisWeightsAsync(client, response)).Shape);
        Assert.Equal(8, response.Tangle.MaxParents);
        var learning = response.Tangle.Learning;
        Assert.Equal(TipSelector.CumulativeWeight, learning.TipSelector);
        Assert.Equal(0.1, learning.Alpha);
        Assert.False(learning.HasParticleDepth);
        Assert.Equal(2, learning.ParentCount);
        Assert.Equal(new Training.LearningParameters().TipCandidates, learning.TipCandidates);
        Assert.Equal("multi-krum:1:3", learning.Aggregator);
        Assert.Equal(1.5, learning.ScreeningStandardErrors);
        Assert.Equal(7, learning.RatedApprovers);
        var defaults = new Training.LearningParameters();
        Assert.Equal((defaults.ReferenceSamples, defaults.ReferenceTopK, defaults.ReferenceCandidates), (learning.ReferenceSamples, learning.ReferenceTopK, learning.ReferenceCandidates));
        Assert.Equal((3, 16, 0.05f, 0f), (learning.Epochs, learning.BatchSize, learning.LearningRate, learning.WeightDecay));
        Assert.Equal(PublishRule.Always, learning.PublishRule);
        Assert.Equal(2000, response.Training.IntervalMs);
        Assert.Equal(0.5, response.Training.ActiveQuota);
        Assert.Equal(7000, response.HeartbeatIntervalMs);
        Assert.Equal(new DataAssignment { Slot = 0, Slots = 4, Partition = "shards:2", Seed = 11 }, response.Data);
    }

    /// <summary>
    /// The LEAF CNN's genesis weights are 26 MB: a join response carrying them exceeded the 4 MB a default gRPC client
    /// (an observer, the Visualization) receives. The response names them; the blocks come by GetBlock, each under 1 MiB.
    /// </summary>
    /// <summary>The genesis weights as a peer reads them: the file the genesis links, block by block from GetBlock.</summary>
    private static Task<byte[]> GenesisWeightsAsync(BootstrapClient client, JoinResponse joined) =>
        ContentFiles.ReadFileAsync(TransactionCodec.Decode(joined.GenesisTransaction.Span).Weights, UnixFsFile.MaxBytes,
            async (cid, cancellationToken) => (await client.GetBlockAsync(new GetBlockRequest { Cid = cid.ToString() }, cancellationToken: cancellationToken)).Data.ToByteArray(),
            default);

    [Fact]
    public async Task A_join_fits_a_default_grpc_client_for_the_largest_model_and_the_genesis_weights_come_block_by_block()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:Model:Architecture"] = "leaf-cnn" }).Start();
        var client = host.CreateGrpcClient(); // gRPC's default receive limit: 4 MB

        using var peer = new TestMember();
        var joined = await client.JoinAsync(peer.Join());
        var weightsCid = TransactionCodec.Decode(joined.GenesisTransaction.Span).Weights;
        Assert.Equal(ContentCodec.DagPb, weightsCid.Codec);
        var weights = await GenesisWeightsAsync(client, joined);

        Assert.Equal(100, UnixFsFile.ReadRoot((await client.GetBlockAsync(new GetBlockRequest { Cid = weightsCid.ToString() })).Data.Span, UnixFsFile.MaxBytes).Count); // chunks of 256 KiB
        Assert.Equal(6_497_162, Learning.WeightCodec.Decode(weights).Shape.ParameterCount);
        Assert.Equal(joined.Tangle.Model, Learning.WeightCodec.Decode(weights).Shape.Description);
    }

    [Fact]
    public async Task GetBlock_serves_the_genesis_blocks_and_nothing_else()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember();
        var joined = await client.JoinAsync(peer.Join());
        var weightsCid = TransactionCodec.Decode(joined.GenesisTransaction.Span).Weights;

        var transaction = await client.GetBlockAsync(new GetBlockRequest { Cid = joined.GenesisCid });
        var weights = await client.GetBlockAsync(new GetBlockRequest { Cid = weightsCid.ToString() });
        Assert.Equal(joined.GenesisTransaction, transaction.Data);
        Assert.True(weightsCid.Matches(weights.Data.Span)); // the MLP's weights: one raw block

        var other = Cid.Compute(ContentCodec.Raw, [1, 2, 3]).ToString();
        var notFound = await Assert.ThrowsAsync<RpcException>(() => client.GetBlockAsync(new GetBlockRequest { Cid = other }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => client.GetBlockAsync(new GetBlockRequest { Cid = "not-a-cid" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
    }

    [Fact]
    public async Task A_restart_with_the_same_data_directory_hands_out_the_same_genesis()
    {
        using var data = new TempDirectory();
        using var otherData = new TempDirectory();

        var first = await GenesisCidOf(data.Path);
        var again = await GenesisCidOf(data.Path);
        var elsewhere = await GenesisCidOf(otherData.Path);

        Assert.Equal(first, again);
        Assert.NotEqual(first, elsewhere);
    }

    [Fact]
    public async Task A_restart_with_another_model_refuses_to_start()
    {
        using var data = new TempDirectory();
        await GenesisCidOf(data.Path);

        var refused = await BootstrapHost.RefusedStartAsync<InvalidOperationException>(() => new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:Model:Hidden"] = "32" }));
        Assert.Contains("Bootstrap:Model", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_genesis_refuses_to_start()
    {
        using var data = new TempDirectory();
        await GenesisCidOf(data.Path);
        var weightsPath = Path.Combine(data.Path, "genesis-weights.bin");
        var weights = await File.ReadAllBytesAsync(weightsPath);
        weights[^1] ^= 1;
        await File.WriteAllBytesAsync(weightsPath, weights);

        var refused = await BootstrapHost.RefusedStartAsync<InvalidOperationException>(() => new BootstrapHost(data.Path));
        Assert.Contains("damaged", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_genesis_stored_in_weight_format_version_1_is_still_the_tangles_genesis()
    {
        // A data directory from before layer lists and chunked weights: its genesis weights in version 1, one raw block of
        // 400 KB (more than a chunk), signed by the Bootstrap's key.
        using var data = new TempDirectory();
        await GenesisCidOf(data.Path);
        using var key = PeerKey.Import(await File.ReadAllBytesAsync(Path.Combine(data.Path, "bootstrap-key.p8")));
        var shape = Learning.ModelShape.Mlp(784, 128, 10);
        var weights = MlAspire.Tests.Shared.WeightsVersion1.Encode(Learning.Models.Create(shape).Initialize(new Random(3)), 784, 128, 10);
        var document = TransactionDocument.CreateSigned(null, [], Cid.Compute(ContentCodec.Raw, weights), 1_700_000_000_000, Tangle.Dag.TransactionMetrics.None, key);
        var transaction = TransactionCodec.Encode(document);
        await File.WriteAllBytesAsync(Path.Combine(data.Path, "genesis-weights.bin"), weights);
        await File.WriteAllBytesAsync(Path.Combine(data.Path, "genesis-transaction.json"), transaction);

        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:Model:Hidden"] = "128" }).Start();
        using var peer = new TestMember();
        var client = host.CreateGrpcClient();
        var response = await client.JoinAsync(peer.Join());

        Assert.Equal(Cid.Compute(ContentCodec.DagJson, transaction).ToString(), response.GenesisCid); // the same tangle
        var block = await client.GetBlockAsync(new GetBlockRequest { Cid = Cid.Compute(ContentCodec.Raw, weights).ToString() });
        Assert.Equal(weights, block.Data.ToByteArray()); // served as the one raw block its CID names
        Assert.Equal(weights, await GenesisWeightsAsync(client, response)); // read as the file its CID names
        Assert.Equal(shape.Description, response.Tangle.Model);
        Assert.Equal(shape, Learning.WeightCodec.Decode(weights).Shape);
    }

    private static async Task<string> GenesisCidOf(string dataDirectory)
    {
        await using var host = new BootstrapHost(dataDirectory).Start();
        using var peer = new TestMember();
        return (await host.CreateGrpcClient().JoinAsync(peer.Join())).GenesisCid;
    }
}
