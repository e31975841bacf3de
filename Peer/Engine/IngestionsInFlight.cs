using System.Collections.Concurrent;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Engine;

/// <summary>
/// One ingestion per transaction at a time. Every followed member relays every transaction, so one arrives on several
/// watch streams within the time its ingestion takes, and each used to fetch, hash, store and decode the weights on its
/// own: 2.2 block fetches per received transaction at 24 peers (docs/benchmarks.md). A later announcement now waits for
/// the one in flight and is known once that one put the transaction in; when it did not (a sender that never sent the
/// weights, a cancelled stream, a rejection), the later one tries itself at once, as it would have without waiting: it
/// waits for one ingestion at most, so a sender that holds its ingestion open for the whole budget delays the others
/// once, not once per waiter.
/// </summary>
internal sealed class IngestionsInFlight
{
    private readonly ConcurrentDictionary<Cid, Task<bool>> _running = new();

    public async Task<IngestOutcome> RunAsync(Cid cid, Func<Task<IngestOutcome>> ingest, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _running.GetOrAdd(cid, mine.Task);
        if (running != mine.Task)
            return await running.WaitAsync(cancellationToken) ? new IngestOutcome(IngestStatus.Known, 0) : await ingest();
        var inReplica = false;
        try
        {
            var outcome = await ingest();
            inReplica = outcome.Status is IngestStatus.Inserted or IngestStatus.Known;
            return outcome;
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<Cid, Task<bool>>(cid, mine.Task));
            mine.SetResult(inReplica);
        }
    }
}
