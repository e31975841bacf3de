using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// Remembers which transactions the replica holds (one CID per line, appended as they are inserted) so that a restarted
/// peer rebuilds its tangle from its own store before asking neighbours for what it missed while down.
/// </summary>
public sealed class ReplicaJournal(PeerEngine engine, string directory, ILogger<ReplicaJournal> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await engine.Initialized.WaitAsync(stoppingToken);
        var path = Path.Combine(Directory.CreateDirectory(directory).FullName, $"{engine.Genesis}.log");

        var replayed = await ReplayAsync(path, stoppingToken);
        if (replayed > 0)
            logger.LogInformation("Rebuilt {Count} transactions from the journal and the local store", replayed);

        var feed = engine.Watch(stoppingToken);
        await using var journal = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
        foreach (var record in engine.Since(0, int.MaxValue))
            await journal.WriteLineAsync(record.Cid.ToString().AsMemory(), stoppingToken);
        await journal.FlushAsync(stoppingToken);
        await foreach (var record in feed.ReadAllAsync(stoppingToken))
        {
            await journal.WriteLineAsync(record.Cid.ToString().AsMemory(), stoppingToken);
            await journal.FlushAsync(stoppingToken);
        }
    }

    private async Task<int> ReplayAsync(string path, CancellationToken stoppingToken)
    {
        if (!File.Exists(path)) return 0;
        var inserted = 0;
        foreach (var line in (await File.ReadAllLinesAsync(path, stoppingToken)).Distinct())
        {
            if (!Cid.TryParse(line, out var cid, out _)) continue; // a line torn by a crash
            if (!await engine.Store.HasAsync(cid, stoppingToken)) continue;
            var bytes = await engine.Store.GetAsync(cid, TimeSpan.FromSeconds(1), stoppingToken);
            inserted += (await engine.IngestAsync(cid, bytes, stoppingToken)).Inserted;
        }
        File.Delete(path); // rewritten below from the replica, without duplicates
        return inserted;
    }
}
