using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests;

/// <summary>
/// A Byzantine peer: it joins like any other and serves TangleSync, but every transaction it offers is forged or
/// malformed in a different way. Honest peers must reject each one, count it, and keep learning.
/// </summary>
public sealed class ForgingPeer : TangleSync.TangleSyncBase, IAsyncDisposable
{
    private readonly Dictionary<Cid, byte[]> _blocks = [];
    private readonly List<TransactionMessage> _forgeries = [];
    private WebApplication? _app;

    public int Port { get; } = ServiceProcess.FreePort();

    public IReadOnlyList<TransactionMessage> Forgeries => _forgeries;

    /// <summary>Builds one forgery per attack against the tangle named by <paramref name="genesis"/>.</summary>
    public void Forge(Cid genesis, Cid validParent, ModelShape shape)
    {
        using var key = PeerKey.Create();
        var good = Block(ContentCodec.Raw, WeightCodec.Encode(Models.Create(shape).Initialize(new Random(1))));
        var metrics = new TransactionMetrics(0.1, 0.9, 100);

        Offer(TransactionDocument.CreateSigned(genesis, [validParent], good, 1, metrics, key) with { Metrics = new TransactionMetrics(0.0, 1.0, 100) }); // bad signature
        Offer(TransactionDocument.CreateSigned(genesis, [validParent], Block(ContentCodec.Raw, WeightCodec.Encode(Models.Create(ModelShape.LogisticRegression(4, 2)).Initialize(new Random(2)))), 2, metrics, key)); // wrong shape
        Offer(TransactionDocument.CreateSigned(genesis, [validParent], Block(ContentCodec.Raw, MlAspire.Tests.Shared.PoisonedWeights.WithNaN(shape)), 3, metrics, key)); // NaN weights
        Offer(TransactionDocument.CreateSigned(genesis, [Cid.Compute(ContentCodec.DagJson, "no such parent"u8)], good, 4, metrics, key)); // unknown parent
        Offer(TransactionDocument.CreateSigned(Cid.Compute(ContentCodec.DagJson, "another tangle"u8), [validParent], good, 5, metrics, key)); // wrong tangle
        var garbage = "{\"garbage\":\"not a transaction\"}"u8.ToArray();
        OfferRaw(Cid.Compute(ContentCodec.DagJson, garbage), garbage); // garbage payload under its own CID
        OfferRaw(Cid.Compute(ContentCodec.DagJson, "announced"u8), "{\"delivered\":1}"u8.ToArray()); // bytes that are not what the CID names
        OfferRaw(Cid.Compute(ContentCodec.DagJson, "huge"u8), new byte[64 * 1024]); // oversized
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(Port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<ForgingPeer>();
        await _app.StartAsync();
    }

    public override async Task ListTransactions(ListTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        foreach (var forgery in _forgeries)
            await responseStream.WriteAsync(forgery);
    }

    public override async Task WatchTransactions(WatchTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        foreach (var forgery in _forgeries)
            await responseStream.WriteAsync(forgery);
        await Task.Delay(Timeout.Infinite, context.CancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public override Task<BlockMessage> GetBlock(GetBlockRequest request, ServerCallContext context) =>
        Cid.TryParse(request.Cid, out var cid, out _) && _blocks.TryGetValue(cid, out var data)
            ? Task.FromResult(new BlockMessage { Data = ByteString.CopyFrom(data) })
            : throw new RpcException(new Status(StatusCode.NotFound, "no"));

    public override Task<MlAspire.Peer.Grpc.PeerStatus> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        Task.FromResult(new MlAspire.Peer.Grpc.PeerStatus { PeerId = "forger" });

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    private Cid Block(ContentCodec codec, byte[] data)
    {
        var cid = Cid.Compute(codec, data);
        _blocks[cid] = data;
        return cid;
    }

    private void Offer(TransactionDocument document)
    {
        var bytes = TransactionCodec.Encode(document);
        OfferRaw(Block(ContentCodec.DagJson, bytes), bytes);
    }

    private void OfferRaw(Cid cid, byte[] document) =>
        _forgeries.Add(new TransactionMessage { Cid = cid.ToString(), Document = ByteString.CopyFrom(document), Sequence = _forgeries.Count + 1 });
}
