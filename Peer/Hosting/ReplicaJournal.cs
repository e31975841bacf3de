using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// Remembers which transactions the replica holds (one CID per line, appended as they are inserted) so that a restarted
/// peer rebuilds its tangle from its own store before asking neighbours for what it missed while down: catch-up and
/// training wait for <see cref="Replica.Restored"/>.
/// </summary>
/// <remarks>
/// On start the journal is replayed, then rewritten from the replica without duplicates — atomically, so a crash during
/// the rewrite leaves the old journal. A journal that cannot be read is not fatal: the replica is rebuilt from the
/// transactions pinned in the store instead. A write that fails (disk full) is retried; the peer keeps running.
/// </remarks>
/// <param name="restoreWait">
/// How long catch-up and training wait for the replay (<see cref="PeerOptions.RestoreWait"/>). It reads only the local
/// store (an ancestor missing there is left to catch-up), a few milliseconds a transaction.
/// </param>
public sealed class ReplicaJournal(Replica replica, Ingestor ingestor, IContentStore store, string directory, TimeSpan restoreWait, ILogger<ReplicaJournal> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await replica.Initialized.WaitAsync(stoppingToken);
        var folder = Directory.CreateDirectory(directory).FullName;
        AtomicFile.CleanTemporaries(folder);
        var path = Path.Combine(folder, $"{replica.Genesis}.log");
        // On its own thread: opening a file blocks the caller, and a hung disk must not hold this wait with it.
        var restoring = Task.Run(() => RestoreAsync(path, stoppingToken), stoppingToken);
        try
        {
            await restoring.WaitAsync(restoreWait, stoppingToken);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("The journal's replay has run for {Wait}; catch-up and training start beside it", restoreWait);
        }
        finally
        {
            replica.MarkRestored();
        }
        await restoring; // the journal is rewritten from the replica only once everything it listed is back

        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(path, stoppingToken);
            }
            catch (IOException e)
            {
                logger.LogError("Journal {Path} could not be written ({Error}); retrying in {Delay}", path, e.Message, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
            }
        }
    }

    private async Task RestoreAsync(string path, CancellationToken stoppingToken)
    {
        IReadOnlyList<Cid> journaled;
        try
        {
            journaled = File.Exists(path) ? ParseLines(await File.ReadAllLinesAsync(path, stoppingToken)) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Journal {Path} cannot be read ({Error}); rebuilding the replica from the store", path, e.Message);
            journaled = await StoredTransactionsAsync(stoppingToken);
        }
        var inserted = 0;
        foreach (var cid in journaled)
            inserted += await ReplayAsync(cid, stoppingToken);
        if (journaled.Count > 0)
            logger.LogInformation("Rebuilt {Count} transactions from the local store ({Listed} listed, genesis included)", inserted, journaled.Count);
    }

    /// <summary>Rewrites the journal from the replica (atomically), then appends every record inserted after.</summary>
    private async Task FollowAsync(string path, CancellationToken stoppingToken)
    {
        long cursor = -1;
        await AtomicFile.WriteAsync(path, async stream =>
        {
            await using var writer = new StreamWriter(stream, leaveOpen: true);
            IReadOnlyList<TransactionRecord> page;
            while ((page = replica.Since(cursor, 10_000)).Count > 0)
            {
                foreach (var record in page)
                    await writer.WriteLineAsync(record.Cid.ToString().AsMemory(), stoppingToken);
                cursor = page[^1].Sequence;
            }
        }, stoppingToken);

        await using var journal = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        while (!stoppingToken.IsCancellationRequested)
        {
            await replica.WaitForRecordsAsync(cursor, stoppingToken);
            foreach (var record in replica.Since(cursor, 10_000))
            {
                await journal.WriteLineAsync(record.Cid.ToString().AsMemory(), stoppingToken);
                cursor = record.Sequence;
            }
            await journal.FlushAsync(stoppingToken);
        }
    }

    private async Task<int> ReplayAsync(Cid cid, CancellationToken stoppingToken)
    {
        try
        {
            if (!await store.HasAsync(cid, stoppingToken)) return 0;
            var bytes = await store.GetAsync(cid, TimeSpan.FromSeconds(5), stoppingToken);
            return (await ingestor.IngestAsync(new Announcement(cid, bytes, AnnouncementPath.Replay), stoppingToken)).Inserted;
        }
        catch (Exception e) when (e is IOException or TimeoutException or HttpRequestException or InvalidDataException or Storage.Ipfs.IpfsApiException)
        {
            logger.LogWarning("Could not replay {Cid} from the store: {Error}", cid, e.Message);
            return 0;
        }
    }

    /// <summary>Every pinned transaction document, oldest first by the time it claims (parents come before children).</summary>
    private async Task<IReadOnlyList<Cid>> StoredTransactionsAsync(CancellationToken stoppingToken)
    {
        var documents = new List<(Cid Cid, long Created)>();
        foreach (var cid in await store.PinsAsync(stoppingToken))
        {
            if (cid.Codec != ContentCodec.DagJson) continue;
            try
            {
                documents.Add((cid, Storage.Transactions.TransactionCodec.Decode(await store.GetAsync(cid, TimeSpan.FromSeconds(5), stoppingToken)).CreatedAt));
            }
            catch (Exception e) when (e is FormatException or IOException or TimeoutException)
            {
                // Not a transaction of ours, or damaged: neighbours will provide it if it matters.
            }
        }
        return [.. documents.OrderBy(d => d.Created).Select(d => d.Cid)];
    }

    /// <summary>The CIDs of a journal, in order and without duplicates; a line torn by a crash is skipped.</summary>
    private static IReadOnlyList<Cid> ParseLines(IEnumerable<string> lines) =>
        [.. lines.Select(line => Cid.TryParse(line, out var cid, out _) ? cid : (Cid?)null).OfType<Cid>().Distinct()];
}
