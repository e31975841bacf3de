using System.Threading.Channels;
using MlAspire.Peer.Grpc;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// What a hostile member announces: ListTransactions returns everything offered so far, and every WatchTransactions
/// stream gets everything offered so far and then each later offer. What is offered (only the newest of a chain,
/// a flood at some rate, forgeries) is the attack's script.
/// </summary>
public sealed class Announcements
{
    private readonly Lock _lock = new();
    private readonly List<TransactionMessage> _offered = [];
    private readonly List<ChannelWriter<TransactionMessage>> _watchers = [];

    public int Count
    {
        get
        {
            lock (_lock) return _offered.Count;
        }
    }

    /// <summary>Announces a signed transaction under the next sequence number.</summary>
    public void Offer(SignedTransaction transaction)
    {
        lock (_lock)
            Publish(transaction.ToMessage(_offered.Count + 1));
    }

    /// <summary>Announces a message as given (forgeries: bytes that are not what the CID names, garbage, …).</summary>
    public void OfferRaw(TransactionMessage message)
    {
        lock (_lock)
            Publish(message);
    }

    public IReadOnlyList<TransactionMessage> Since(long afterSequence)
    {
        lock (_lock)
            return _offered.Where(m => m.Sequence > afterSequence).ToList();
    }

    /// <summary>Everything offered so far, then every later offer, until the reader stops.</summary>
    public ChannelReader<TransactionMessage> Watch(CancellationToken cancellationToken)
    {
        // Unbounded: the attacker, not the victim, pays for a victim that reads slowly.
        var channel = Channel.CreateUnbounded<TransactionMessage>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            foreach (var message in _offered)
                channel.Writer.TryWrite(message);
            _watchers.Add(channel.Writer);
        }
        cancellationToken.Register(() =>
        {
            lock (_lock)
                _watchers.Remove(channel.Writer);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    private void Publish(TransactionMessage message)
    {
        _offered.Add(message);
        foreach (var watcher in _watchers)
            watcher.TryWrite(message);
    }
}
