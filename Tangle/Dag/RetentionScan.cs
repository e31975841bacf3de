namespace MlAspire.Tangle.Dag;

/// <summary>
/// What retention may release, the same on a real peer and in the simulator: each transaction older than the newest
/// <c>keepNewest</c> arrivals that is not genesis, not its publisher's newest and not protected, handed out once.
/// Those skipped are remembered and looked at again on the next pass, so a pass costs the new arrivals plus the few
/// publishers' newest and protected ones, not the whole history.
/// </summary>
/// <remarks>Not thread-safe: its owner calls it under the lock that guards the graph.</remarks>
public sealed class RetentionScan
{
    private readonly HashSet<int> _skipped = [];
    private int _next = 1; // genesis, sequence 0, is never released

    public void Scan(TangleGraph graph, int keepNewest, IReadOnlySet<string> protectedIds, Action<int, Transaction> release)
    {
        var end = graph.Count - keepNewest;
        var candidates = _skipped.Where(sequence => sequence < end).ToList();
        for (var sequence = _next; sequence < end; sequence++)
            candidates.Add(sequence);
        _next = Math.Max(_next, end);
        foreach (var sequence in candidates)
        {
            var transaction = graph[sequence];
            if (graph.IsNewestOfPublisher(sequence) || protectedIds.Contains(transaction.Id))
            {
                _skipped.Add(sequence);
                continue;
            }
            _skipped.Remove(sequence);
            release(sequence, transaction);
        }
    }
}
