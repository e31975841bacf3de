using System.Diagnostics;
using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Network;

/// <summary>
/// Follows the members <see cref="FollowSelection"/> chooses (all of them in a small network): first catches up with its replica (ListTransactions, in arrival order), so a late joiner or
/// a peer back from a crash gets the whole tangle; then follows its live announcements through the
/// <see cref="IAnnouncer"/>, and catches up again every <see cref="RepairInterval"/> from where it stopped, which
/// repairs whatever the live transport lost. One neighbour's failure affects no other; streams reconnect with backoff.
/// </summary>
public sealed class GossipService(Replica replica, Ingestor ingestor, IAnnouncer announcer, NeighbourDirectory neighbours, FollowSelection selection, StalledNeighbours stalled, RejectionLog rejections, ILogger<GossipService> logger) : BackgroundService
{
    public static readonly TimeSpan RepairInterval = TimeSpan.FromSeconds(15);

    /// <summary>How often, on average, one of the randomly followed members is drawn again (<see cref="FollowSelection.RedrawOne"/>).</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The wait before the next redraw: <see cref="RedrawInterval"/> times a random factor from 0.5 to 1.5. A new follow's
    /// first pass lists the member's whole replica, and peers started together (a soak, a rollout) redrew together:
    /// every ten minutes the whole network caught up at once (docs/benchmarks.md, "Native peers").
    /// </summary>
    internal static TimeSpan RedrawDelay(Random random) => RedrawInterval * (0.5 + random.NextDouble());

    /// <summary>Messages one catch-up pass takes from one neighbour; the rest comes in the next pass.</summary>
    public const int MaxPerPass = 10_000;

    /// <summary>How long a catch-up pass waits for the neighbour's next message (or its end) before counting it as missed.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A wait for the next message that failed after this long counts as a missed deadline, however it failed.</summary>
    public static readonly TimeSpan SilentFor = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (Task Task, CancellationTokenSource Stop)> _followers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once a first catch-up pass finished from every member followed when following began (or at once without
    /// neighbours): from then on, live announcements find their ancestors known instead of pulling in a whole gap.
    /// </summary>
    public Task FirstPass => _firstPass.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await replica.Restored.WaitAsync(stoppingToken);
        var firstPasses = Chosen().Select(n => Follow(n, stoppingToken)).ToList();
        _ = Task.WhenAll(firstPasses).WaitAsync(TimeSpan.FromSeconds(60), stoppingToken)
            .ContinueWith(_ => _firstPass.TrySetResult(), TaskScheduler.Default);
        var nextRedraw = Environment.TickCount64 + (long)RedrawDelay(Random.Shared).TotalMilliseconds;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (Environment.TickCount64 >= nextRedraw)
            {
                selection.RedrawOne();
                nextRedraw = Environment.TickCount64 + (long)RedrawDelay(Random.Shared).TotalMilliseconds;
            }
            var chosen = Chosen();
            foreach (var neighbour in chosen)
                _ = Follow(neighbour, stoppingToken); // its first pass is only waited for at the start
            foreach (var (peerId, follower) in _followers.Where(f => chosen.All(n => n.PeerId != f.Key)).ToList())
            {
                // Left, or no longer chosen (a member joined nearer on the ring): stop following it.
                await follower.Stop.CancelAsync();
                if (!follower.Task.IsCompleted) continue;
                follower.Stop.Dispose();
                _followers.Remove(peerId);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Task.WhenAll(_followers.Values.Select(f => f.Task)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The members to follow: chosen among those not benched for missing their deadlines (<see cref="StalledNeighbours"/>).</summary>
    private List<Neighbour> Chosen()
    {
        var current = stalled.Answering(neighbours.Current);
        var chosen = selection.Choose(current.Select(n => n.PeerId));
        return [.. current.Where(n => chosen.Contains(n.PeerId))];
    }

    /// <summary>Starts following <paramref name="neighbour"/> unless it is followed already; returns a task that completes after its first pass.</summary>
    private Task Follow(Neighbour neighbour, CancellationToken stoppingToken)
    {
        if (_followers.TryGetValue(neighbour.PeerId, out var running))
        {
            if (!running.Task.IsCompleted)
                return Task.CompletedTask;
            running.Stop.Dispose();
        }
        var firstPass = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _followers[neighbour.PeerId] = (FollowAsync(neighbour, firstPass, stop.Token), stop);
        return firstPass.Task;
    }

    private async Task FollowAsync(Neighbour neighbour, TaskCompletionSource firstPass, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        var cursor = new FollowCursor();
        try
        {
            while (!stoppingToken.IsCancellationRequested && neighbours.Client(neighbour.PeerId) is { } client)
            {
                try
                {
                    var caughtUp = await CatchUpAsync(neighbour, client, cursor, stoppingToken);
                    firstPass.TrySetResult();
                    backoff = TimeSpan.FromMilliseconds(500);
                    using var following = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    // Behind by more than a pass, the live stream starts at the head and the cursor waits for catch-up.
                    var live = announcer.FollowAsync(neighbour, client, caughtUp ? cursor : null, following.Token);
                    try
                    {
                        while (await Task.WhenAny(live, Task.Delay(RepairInterval, stoppingToken)) != live)
                            await CatchUpAsync(neighbour, client, cursor, stoppingToken);
                    }
                    finally
                    {
                        await following.CancelAsync(); // a failed catch-up ends the live stream too: both start over
                        await live.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }
                    await live; // the stream ended by itself: follow again (rethrows its failure, if any)
                }
                catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogDebug("Following {Peer} paused: {Status}", neighbour.PeerId, e.Status.Detail);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // This peer's own store failed (its IPFS node may be restarting), or the neighbour's channel was
                    // replaced: start over from where catch-up was.
                    logger.LogWarning("Following {Peer} paused: {Error}", neighbour.PeerId, e.Message);
                }
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping, or this member is no longer followed (its calls end cancelled, as RpcExceptions too).
        }
        finally
        {
            firstPass.TrySetResult();
        }
    }

    /// <summary>
    /// Ingests up to <see cref="MaxPerPass"/> of the neighbour's transactions after the cursor, one at a time (a neighbour
    /// that sends nothing for <see cref="AnswerTimeout"/> has missed a deadline: the pass fails); advances the
    /// cursor once the pass is through (a pass that fails, this peer's store failing say, is listed again). Returns
    /// whether the pass reached the neighbour's end (it listed fewer than the most a pass takes).
    /// </summary>
    private async Task<bool> CatchUpAsync(Neighbour neighbour, TangleSync.TangleSyncClient client, FollowCursor cursor, CancellationToken stoppingToken)
    {
        var (last, listed) = (cursor.Sequence, 0);
        // The wait for each message is bounded, not the pass: ingesting what came (fetching its weights) may take long.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var list = client.ListTransactions(new ListTransactionsRequest { AfterSequence = last, MaxCount = MaxPerPass }, cancellationToken: waiting.Token);
        while (true)
        {
            waiting.CancelAfter(AnswerTimeout);
            var asked = Stopwatch.GetTimestamp();
            bool more;
            try
            {
                more = await list.ResponseStream.MoveNext(waiting.Token);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is OperationCanceledException or RpcException
                && Stopwatch.GetElapsedTime(asked) >= SilentFor)
            {
                // It kept this peer waiting, then failed (its connection's keep-alive pings unanswered) or ran out of time.
                // A refused or unreachable connection fails at once and is no miss; a connection a partition cut while
                // open is (after its keep-alive, about 25 s), so a healed far side may wait out a bench of up to 2 min.
                stalled.Missed(neighbour.PeerId);
                if (!waiting.IsCancellationRequested) throw;
                throw new TimeoutException($"{neighbour.PeerId} sent nothing for {AnswerTimeout.TotalSeconds:F0} s of a catch-up pass.");
            }
            waiting.CancelAfter(Timeout.InfiniteTimeSpan);
            if (!more) break;
            var message = list.ResponseStream.Current;
            (last, listed) = (Math.Max(last, message.Sequence), listed + 1);
            await OfferListedAsync(ingestor, rejections, neighbour.PeerId, message, stoppingToken);
        }
        cursor.AdvanceTo(last);
        return listed < MaxPerPass;
    }

    /// <summary>Offers one transaction a member listed (<c>ListTransactions</c>) to the ingestor as catch-up, and reports the outcome.</summary>
    internal static async Task OfferListedAsync(Ingestor ingestor, RejectionLog rejections, string from, TransactionMessage message, CancellationToken cancellationToken)
    {
        if (!Cid.TryParse(message.Cid, out var cid, out var error))
        {
            rejections.Malformed(from, error);
            return;
        }
        var outcome = await ingestor.IngestAsync(new Announcement(cid, message.Document.ToByteArray(), AnnouncementPath.CatchUp, from), cancellationToken);
        rejections.Report(from, cid, outcome);
    }
}
