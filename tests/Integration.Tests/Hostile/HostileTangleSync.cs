using Google.Protobuf;
using Grpc.Core;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A hostile member's TangleSync service: it serves the announcements and blocks its attack script put there, and
/// otherwise behaves like a peer (victims follow it with ListTransactions and WatchTransactions and fetch blocks from it).
/// </summary>
public sealed class HostileTangleSync(string peerId, Announcements announcements, BlockShelf blocks) : TangleSync.TangleSyncBase
{
    public override async Task ListTransactions(ListTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        foreach (var message in announcements.Since(request.AfterSequence))
            await responseStream.WriteAsync(message, context.CancellationToken);
    }

    public override async Task WatchTransactions(WatchTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        try
        {
            await foreach (var message in announcements.Watch(context.CancellationToken).ReadAllAsync(context.CancellationToken))
                await responseStream.WriteAsync(message, context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The victim hung up.
        }
    }

    public override Task<BlockMessage> GetBlock(GetBlockRequest request, ServerCallContext context) =>
        Cid.TryParse(request.Cid, out var cid, out _) && blocks.TryGet(cid, out var data)
            ? Task.FromResult(new BlockMessage { Data = UnsafeByteOperations.UnsafeWrap(data) })
            : throw new RpcException(new Status(StatusCode.NotFound, $"Block {request.Cid} is not held here."));

    public override Task<TransactionMessage> GetTransaction(GetTransactionRequest request, ServerCallContext context) =>
        announcements.Since(0).FirstOrDefault(m => m.Cid == request.Cid) is { } message
            ? Task.FromResult(message)
            : throw new RpcException(new Status(StatusCode.NotFound, $"Transaction {request.Cid} is not announced here."));

    public override Task<PeerStatus> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        Task.FromResult(new PeerStatus { PeerId = peerId });
}
