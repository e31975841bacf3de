using System.Diagnostics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using MlAspire.Peer.Grpc;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Network;

/// <summary>
/// Embedded mode's bitswap: asks the neighbour that announced the block first, then asks one more neighbour in random
/// order, up to <see cref="Parallel"/> at a time: at once when an answer fails, or as a hedge after the recent winning
/// answers' 75th-percentile latency (<see cref="AskLatency"/>) while the peer's <see cref="HedgeBudget"/> lasts, and after
/// <see cref="LateHedge"/> when it does not. It takes the first answer that hashes to the CID. Each ask has its own deadline,
/// so neighbours that never answer cost a few seconds of one ask each, in parallel, never the whole fetch; those that
/// keep missing it are benched (<see cref="StalledNeighbours"/>) and not asked for a while.
/// </summary>
public sealed class NeighbourBlockSource(NeighbourDirectory neighbours, StalledNeighbours stalled, AskLatency latency, HedgeBudget hedges, PeerMetrics metrics,
    ILogger<NeighbourBlockSource> logger) : IBlockSource
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    public const int Parallel = 4;

    /// <summary>An ask this old is hedged whether or not the budget has one: half its deadline, past the hedge delay's ceiling.</summary>
    public static readonly TimeSpan LateHedge = AskTimeout / 2;

    public async Task<VerifiedBlock?> TryFetchAsync(Cid cid, string? preferredPeer, CancellationToken cancellationToken)
    {
        var order = stalled.Answering(neighbours.Current).Select(n => n.PeerId).OrderBy(_ => Random.Shared.Next()).ToList();
        if (preferredPeer is not null && order.Remove(preferredPeer))
            order.Insert(0, preferredPeer);
        else if (preferredPeer is not null && neighbours.Contains(preferredPeer))
            order.Add(preferredPeer); // benched, but the one that announced the block: asked last, not never
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var asking = new List<Task<(byte[]? Bytes, TimeSpan Latency)>>();
        var next = 0;
        var hedge = Task.CompletedTask;
        var hedgeIsLate = false;
        try
        {
            while (asking.Count > 0 || next < order.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var canAskMore = next < order.Count && asking.Count < Parallel;
                if (canAskMore && hedge.IsCompleted)
                {
                    asking.Add(AskAsync(order[next++], cid, done.Token));
                    hedge = Task.Delay(latency.HedgeDelay, done.Token);
                    hedgeIsLate = false;
                    continue;
                }
                var finished = await Task.WhenAny(canAskMore ? [.. asking, hedge] : asking.Cast<Task>());
                if (finished == hedge)
                {
                    if (!hedgeIsLate && !cancellationToken.IsCancellationRequested && !hedges.TrySpend())
                    {
                        // None left: hedge only an ask this late, so that a member slow on purpose, having spent the
                        // budget, holds a block no longer than that (not until its ask's deadline).
                        hedge = Task.Delay(LateHedge - latency.HedgeDelay, done.Token);
                        hedgeIsLate = true;
                    }
                    continue; // else the top of the loop asks the next neighbour (and clears hedgeIsLate)
                }
                var answer = (Task<(byte[]? Bytes, TimeSpan Latency)>)finished;
                asking.Remove(answer);
                var (bytes, took) = await answer;
                if (bytes is not null && VerifiedBlock.TryCreate(cid, bytes) is { } block)
                {
                    latency.Answered(took);
                    hedges.Fetched();
                    metrics.BlockAsked("answered");
                    return block;
                }
                if (bytes is not null)
                    metrics.BlockAsked("invalid");
                hedge = Task.CompletedTask; // a failed ask makes room for the next one at once
            }
            return null;
        }
        finally
        {
            await done.CancelAsync(); // the asks still running are no longer needed
        }
    }

    /// <summary>
    /// The answer's bytes without a copy: the message is dropped here, so its array has no other owner, and blocks are
    /// never written to. A 200 KB copy per answer was a sixth of a peer's allocations (docs/benchmarks.md).
    /// </summary>
    private static byte[] Bytes(ByteString data) =>
        MemoryMarshal.TryGetArray(data.Memory, out var whole) && whole is { Offset: 0, Array: { } array } && whole.Count == array.Length
            ? array
            : data.ToByteArray();

    /// <summary>The neighbour's answer, unchecked, and how long it took; no bytes when it had none or did not answer.</summary>
    private async Task<(byte[]? Bytes, TimeSpan Latency)> AskAsync(string peerId, Cid cid, CancellationToken cancellationToken)
    {
        if (neighbours.Client(peerId) is not { } client) return (null, TimeSpan.Zero);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var block = await client.GetBlockAsync(new GetBlockRequest { Cid = cid.ToString() }, deadline: DateTime.UtcNow.Add(AskTimeout), cancellationToken: cancellationToken);
            return (Bytes(block.Data), Stopwatch.GetElapsedTime(started));
        }
        catch (RpcException e)
        {
            if (e.StatusCode == StatusCode.DeadlineExceeded)
                stalled.Missed(peerId);
            metrics.BlockAsked(e.StatusCode switch
            {
                StatusCode.NotFound => "not_found",
                StatusCode.DeadlineExceeded => "deadline",
                StatusCode.Cancelled when cancellationToken.IsCancellationRequested => "cancelled",
                _ => "failed",
            });
            if (e.StatusCode is not (StatusCode.NotFound or StatusCode.Cancelled))
                logger.LogDebug("Neighbour {Peer} could not serve block {Cid}: {Status}", peerId, cid, e.Status.Detail);
            return (null, TimeSpan.Zero);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            metrics.BlockAsked("cancelled");
            throw;
        }
        catch (Exception e)
        {
            // Its channel was closed under it (it re-joined elsewhere), or the call failed below gRPC: ask the others.
            metrics.BlockAsked("failed");
            logger.LogDebug("Asking {Peer} for block {Cid} failed: {Error}", peerId, cid, e.Message);
            return (null, TimeSpan.Zero);
        }
    }
}
