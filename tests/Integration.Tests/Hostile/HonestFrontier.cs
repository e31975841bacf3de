using Grpc.Core;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// The tips of the honest part of the tangle (transactions no honest transaction approves yet), as an honest peer's
/// replica shows them: what a flooder approves so that its transactions sit on top of every honest one.
/// </summary>
public sealed class HonestFrontier : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _seen = [];
    private readonly HashSet<string> _approved = [];
    private readonly HashSet<string> _tips = [];
    private readonly PriorityQueue<string, long> _newest = new(); // the newest honest transactions, oldest on top
    private const int NewestKept = 16;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    /// <param name="attacker">Transactions of this publisher are not honest: they neither count as tips nor approve.</param>
    public HonestFrontier(TangleSync.TangleSyncClient honestPeer, string attacker)
    {
        _following = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var watch = honestPeer.WatchTransactions(new WatchTransactionsRequest(), cancellationToken: _stop.Token);
                    using var list = honestPeer.ListTransactions(new ListTransactionsRequest { AfterSequence = -1 }, cancellationToken: _stop.Token);
                    await foreach (var message in list.ResponseStream.ReadAllAsync(_stop.Token))
                        See(message, attacker);
                    await foreach (var message in watch.ResponseStream.ReadAllAsync(_stop.Token))
                        See(message, attacker);
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException)
                {
                    await Task.Delay(200, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        });
    }

    public IReadOnlyList<Cid> Tips
    {
        get
        {
            lock (_lock) return _tips.Select(Cid.Parse).ToList();
        }
    }

    /// <summary>
    /// The <paramref name="count"/> newest honest transactions in the honest peer's arrival order, newest first: the
    /// latest honest work, whether or not an honest transaction approves it yet. <see cref="Tips"/> is not that: a
    /// transaction only the attacker approves stays in it for good, so its first entries grow stale (a free rider
    /// taking them approved models 118 to 186 transactions old on average).
    /// </summary>
    public IReadOnlyList<Cid> Newest(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, NewestKept);
        lock (_lock)
            return _newest.UnorderedItems.OrderByDescending(t => t.Priority).Take(count).Select(t => Cid.Parse(t.Element)).ToList();
    }

    private void See(TransactionMessage message, string attacker)
    {
        if (message.Publisher == attacker) return;
        lock (_lock)
        {
            if (!_seen.Add(message.Cid)) return;
            foreach (var parent in message.Parents)
            {
                _approved.Add(parent);
                _tips.Remove(parent);
            }
            if (!_approved.Contains(message.Cid))
                _tips.Add(message.Cid);
            _newest.Enqueue(message.Cid, message.Sequence);
            if (_newest.Count > NewestKept)
                _newest.Dequeue();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        _stop.Dispose();
    }
}
