using Google.Protobuf;
using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Grpc;

/// <summary>
/// Serves this peer's replica to other members (catch-up, gossip, blocks) and to the Visualization; every call has
/// proven membership first (<see cref="MembershipInterceptor"/>).
/// </summary>
public sealed class TangleSyncService(Replica replica, TransactionDocuments documents, IContentStore store, PeerStatusReporter status, StreamSlots slots, PeerMetrics metrics)
    : TangleSync.TangleSyncBase
{
    private const int Page = 500;

    /// <summary>A watcher that has not taken a message for this long is cut off: it reconnects and catches up by sequence.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    public override async Task ListTransactions(ListTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        using var slot = slots.TryTake(StreamKind.List, Caller(context)) ?? throw Full(StreamKind.List);
        var after = Math.Max(-1, request.AfterSequence);
        var remaining = request.MaxCount > 0 ? request.MaxCount : int.MaxValue;
        while (remaining > 0 && !context.CancellationToken.IsCancellationRequested)
        {
            var page = replica.Since(after, Math.Min(Page, remaining));
            if (page.Count == 0) break;
            foreach (var record in page)
                await WriteAsync(responseStream, record, context.CancellationToken);
            after = page[^1].Sequence;
            remaining -= page.Count;
        }
    }

    public override async Task<TransactionMessage> GetTransaction(GetTransactionRequest request, ServerCallContext context) =>
        replica.Get(ParseCid(request.Cid)) is { } record && await ToMessageAsync(record, context.CancellationToken) is { } message
            ? message
            : throw new RpcException(new Status(StatusCode.NotFound, $"Transaction {request.Cid} is not in this replica."));

    /// <summary>Every record inserted from now on, read from the replica by sequence: the stream never overflows, a stalled reader is ended.</summary>
    public override async Task WatchTransactions(WatchTransactionsRequest request, IServerStreamWriter<TransactionMessage> responseStream, ServerCallContext context)
    {
        using var slot = slots.TryTake(StreamKind.Watch, Caller(context)) ?? throw Full(StreamKind.Watch);
        var cancellation = context.CancellationToken;
        // From the watcher's cursor when it is within the last page (what a follower between two passes misses); from
        // the head otherwise: a cursor past the end (this peer restarted and renumbered) or far behind it (a backlog is
        // catch-up's to list, paged) is not honoured.
        var head = replica.Snapshot.Size - 1;
        long cursor = request.HasAfterSequence && request.AfterSequence <= head && request.AfterSequence >= head - Page ? request.AfterSequence : head;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                await replica.WaitForRecordsAsync(cursor, cancellation);
                foreach (var record in replica.Since(cursor, Page))
                {
                    await WriteAsync(responseStream, record, cancellation);
                    cursor = record.Sequence;
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The watcher went away: the normal end of a watch.
        }
    }

    public override Task<PeerStatus> GetStatus(GetStatusRequest request, ServerCallContext context) => Task.FromResult(status.Current());

    public override async Task<BlockMessage> GetBlock(GetBlockRequest request, ServerCallContext context)
    {
        var cid = ParseCid(request.Cid);
        var lease = await store.LendLocalAsync(cid, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Block {request.Cid} is not held here."));
        // Returned when the request ends: by then the answer has been copied into the response.
        context.GetHttpContext().Response.RegisterForDispose(lease);
        return new BlockMessage { Data = UnsafeByteOperations.UnsafeWrap(lease.Memory) };
    }

    private static string Caller(ServerCallContext context) => context.UserState[MembershipInterceptor.MemberKey] as string ?? "";

    private RpcException Full(StreamKind kind)
    {
        metrics.CallRefused(kind == StreamKind.Watch ? "watchers_full" : "lists_full");
        return new RpcException(new Status(StatusCode.ResourceExhausted,
            $"This peer serves at most {slots.Total} {kind} streams at once, and {slots.PerCaller} to one member."));
    }

    /// <summary>A write that the reader does not take within <see cref="StallTimeout"/> ends the call.</summary>
    private async Task WriteAsync(IServerStreamWriter<TransactionMessage> stream, TransactionRecord record, CancellationToken cancellation)
    {
        // A document the store lost is skipped: the reader gets the transaction from another member, or as a parent.
        if (await ToMessageAsync(record, cancellation) is not { } message)
            return;
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stall.CancelAfter(StallTimeout);
        try
        {
            await stream.WriteAsync(message, stall.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"The reader took nothing for {StallTimeout.TotalSeconds:0} s."));
        }
    }

    private async ValueTask<TransactionMessage?> ToMessageAsync(TransactionRecord record, CancellationToken cancellation)
    {
        if (await documents.ReadAsync(record, cancellation) is not { } document)
            return null;
        var transaction = record.Transaction;
        var message = new TransactionMessage
        {
            Sequence = record.Sequence,
            Cid = record.Cid.ToString(),
            Document = UnsafeByteOperations.UnsafeWrap(document),
            Publisher = transaction.Publisher,
            LocalLoss = transaction.Metrics.LocalLoss,
            LocalAccuracy = transaction.Metrics.LocalAccuracy,
            CreatedAtMs = transaction.CreatedAt,
            WeightsReleased = replica.WeightsReleased(record),
            SampleCount = transaction.Metrics.SampleCount,
        };
        message.Parents.AddRange(transaction.Parents);
        return message;
    }

    private static Cid ParseCid(string text) =>
        Cid.TryParse(text, out var cid, out var error) ? cid : throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{text}' is not a CID: {error}"));
}

public enum StreamKind { Watch, List }

/// <summary>
/// How many streams of each kind this peer serves at once, in all and to one member: each holds a call open for as
/// long as its reader wants, so no member may take them all.
/// </summary>
public sealed class StreamSlots(int total, int perCaller)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(StreamKind, string), int> _byCaller = [];
    private readonly Dictionary<StreamKind, int> _byKind = [];

    public int Total => total;

    public int PerCaller => perCaller;

    /// <summary>A slot, released when disposed; null when the peer or this caller has none left.</summary>
    public IDisposable? TryTake(StreamKind kind, string caller)
    {
        lock (_lock)
        {
            var mine = _byCaller.GetValueOrDefault((kind, caller));
            var all = _byKind.GetValueOrDefault(kind);
            if (mine >= perCaller || all >= total) return null;
            _byCaller[(kind, caller)] = mine + 1;
            _byKind[kind] = all + 1;
            return new Slot(this, kind, caller);
        }
    }

    private void Release(StreamKind kind, string caller)
    {
        lock (_lock)
        {
            if (--_byCaller[(kind, caller)] == 0) _byCaller.Remove((kind, caller));
            _byKind[kind]--;
        }
    }

    private sealed class Slot(StreamSlots slots, StreamKind kind, string caller) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                slots.Release(kind, caller);
        }
    }
}
