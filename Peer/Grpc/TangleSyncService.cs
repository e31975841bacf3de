using Google.Protobuf;
using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Grpc;

/// <summary>Serves this peer's replica to other peers (catch-up, gossip, blocks) and to the Visualization.</summary>
public sealed class TangleSyncService(PeerEngine engine, PeerStatusReporter status) : TangleSync.TangleSyncBase
{
    private const int Page = 500;

    public override async Task ListTransactions(ListTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        var after = (int)Math.Clamp(request.AfterSequence, -1, int.MaxValue);
        var remaining = request.MaxCount > 0 ? request.MaxCount : int.MaxValue;
        while (remaining > 0 && !context.CancellationToken.IsCancellationRequested)
        {
            var page = engine.Since(after, Math.Min(Page, remaining));
            if (page.Count == 0) break;
            foreach (var record in page)
                await responseStream.WriteAsync(ToMessage(record, engine.WeightsReleased(record.Cid)), context.CancellationToken);
            after = page[^1].Sequence;
            remaining -= page.Count;
        }
    }

    public override Task<TransactionMessage> GetTransaction(GetTransactionRequest request, ServerCallContext context) =>
        Task.FromResult(engine.Get(ParseCid(request.Cid)) is { } record
            ? ToMessage(record, engine.WeightsReleased(record.Cid))
            : throw new RpcException(new Status(StatusCode.NotFound, $"Transaction {request.Cid} is not in this replica.")));

    public override async Task WatchTransactions(WatchTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        var feed = engine.Watch(context.CancellationToken);
        await foreach (var record in feed.ReadAllAsync(context.CancellationToken))
            await responseStream.WriteAsync(ToMessage(record, engine.WeightsReleased(record.Cid)), context.CancellationToken);
    }

    public override Task<PeerStatus> GetStatus(GetStatusRequest request, ServerCallContext context) => Task.FromResult(status.Current());

    public override async Task<BlockMessage> GetBlock(GetBlockRequest request, ServerCallContext context)
    {
        var cid = ParseCid(request.Cid);
        if (!await engine.Store.HasAsync(cid, context.CancellationToken))
            throw new RpcException(new Status(StatusCode.NotFound, $"Block {request.Cid} is not held here."));
        var data = await engine.Store.GetAsync(cid, TimeSpan.FromSeconds(5), context.CancellationToken);
        return new BlockMessage { Data = ByteString.CopyFrom(data) };
    }

    public static TransactionMessage ToMessage(TransactionRecord record, bool weightsReleased)
    {
        var message = new TransactionMessage
        {
            Sequence = record.Sequence,
            Cid = record.Cid.ToString(),
            Document = ByteString.CopyFrom(record.Document),
            Publisher = record.Transaction.Publisher,
            LocalLoss = record.Transaction.Metrics.LocalLoss,
            LocalAccuracy = record.Transaction.Metrics.LocalAccuracy,
            CreatedAtMs = record.Transaction.CreatedAt,
            WeightsReleased = weightsReleased,
        };
        message.Parents.AddRange(record.Transaction.Parents);
        return message;
    }

    private static Cid ParseCid(string text) =>
        Cid.TryParse(text, out var cid, out var error) ? cid : throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{text}' is not a CID: {error}"));
}
