using System.Diagnostics;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Learning;

namespace MlAspire.Peer.Engine;

/// <summary>
/// Takes announced transactions into the replica: fetches the document and any unknown ancestors (documents only, within
/// the <see cref="IngestBudget"/>), verifies each, checks clocks and publishing rates, then inserts them parents first,
/// with their weights fetched, decoded and pinned one blob at a time (<see cref="WeightsIntake"/>). It owns every
/// per-announcement budget, and never throws for bad input: a forged, malformed, flooding or unfetchable transaction is
/// rejected and counted by reason, and what it pinned is unpinned. A full disk here is this peer's fault, not the sender's: it is thrown
/// (<see cref="StoreFullException"/>), so the caller tries again later instead of counting a rejection. A transaction
/// announced again while its ingestion runs waits for it (<see cref="IngestionsInFlight"/>).
/// </summary>
public sealed class Ingestor(Replica replica, IContentStore store, TangleGuards guards, StoreSpace space, TimeProvider time, PeerMetrics metrics, IngestBudget? budget = null,
    PinClaims? claims = null, ArrivalJudge? judge = null, ArrivalDelays? delays = null)
{
    private readonly IngestBudget _budget = budget ??= new IngestBudget();
    private readonly SemaphoreSlim _working = new(budget.MaxConcurrent);
    private readonly RejectedAnnouncements _rejected = new();
    private readonly IngestionsInFlight _inFlight = new();
    private readonly WeightsIntake _weights = new(replica, store, guards, budget);
    private readonly PinClaims _claims = claims ?? PinClaims.For(replica, store); // shared with retention in a peer

    public IngestBudget Budget => _budget;

    /// <summary>Blocks claimed by ingestions in flight; zero when none is (every claim is released).</summary>
    public int PinsClaimed => _claims.Claimed;

    public Task<IngestOutcome> IngestAsync(Announcement announcement, CancellationToken cancellationToken) =>
        replica.IsKnown(announcement.Cid)
            ? Task.FromResult(new IngestOutcome(IngestStatus.Known, 0))
            : _inFlight.RunAsync(announcement.Cid, () => IngestOnceAsync(announcement, cancellationToken), cancellationToken);

    private async Task<IngestOutcome> IngestOnceAsync(Announcement announcement, CancellationToken cancellationToken)
    {
        if (replica.IsKnown(announcement.Cid))
            return new IngestOutcome(IngestStatus.Known, 0);
        if (_rejected.Find(announcement.Cid) is { } before)
            return Reject(before, announcement.Cid, null); // announced again: refused again, at no cost
        using var activity = PeerTracing.Source.StartActivity("ingest transaction");
        activity?.SetTag("mlaspire.transaction.cid", announcement.Cid.ToString());
        var pinned = _claims.Begin();
        var inserted = 0;
        await _working.WaitAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_budget.MaxDuration);
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (announcement is { Path: AnnouncementPath.Live, From: { } sender } && !guards.Rates.AdmitSender(sender, now))
                throw new TransactionRejectedException(RejectionReason.RateLimited, $"Sender {sender} announces faster than the tangle's publishing rate allows.");
            var documents = await FetchDocumentsAsync(announcement, now, pinned, deadline.Token);
            if (documents is null)
                return new IngestOutcome(IngestStatus.Deferred, 0);
            CheckClocks(documents);
            var weighted = documents.Take(_budget.MaxWeightedAncestors + 1).Select(d => d.Cid).ToHashSet();
            foreach (var document in InsertionOrder(documents))
                inserted += await InsertAsync(document, isRoot: document.Cid.Equals(announcement.Cid), weighted.Contains(document.Cid), announcement, now, pinned, deadline.Token);
            metrics.Received(inserted);
            if (inserted > 0 && announcement.Path != AnnouncementPath.Replay)
                space.HasRoom(); // it stored the document at least
            activity?.SetTag("mlaspire.transactions.inserted", inserted);
            return new IngestOutcome(inserted > 0 ? IngestStatus.Inserted : IngestStatus.Known, inserted);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Reject(RejectionReason.BudgetExceeded, announcement.Cid, activity,
                $"{announcement.Cid} took longer than {_budget.MaxDuration.TotalSeconds:0} s to fetch.", inserted);
        }
        catch (TransactionRejectedException e)
        {
            return Reject(e.Reason, announcement.Cid, activity, e.Message, inserted);
        }
        catch (StoreFullException e)
        {
            space.Full(e);
            throw;
        }
        finally
        {
            _working.Release();
            // Whatever the outcome: what went into the replica stays pinned, what landed for nothing (all of it when rejected,
            // deferred or failed on this peer's own store; weights nobody could supply) is unpinned once no ingestion claims it.
            await pinned.ReleaseAsync();
        }
    }

    /// <summary>
    /// The announced document and its unknown ancestors, breadth first (nearest first); documents only, verified. Null
    /// when the announced transaction is history arriving on a live path, or a replayed one with a parent not in the
    /// replica: it is deferred to catch-up.
    /// </summary>
    private async Task<List<VerifiedTransaction>?> FetchDocumentsAsync(Announcement announcement, long now, PinClaims.Held pinned, CancellationToken cancellationToken)
    {
        var documents = new List<VerifiedTransaction>();
        var queue = new Queue<(Cid Cid, byte[]? Bytes, int Depth)>([(announcement.Cid, announcement.Document, 0)]);
        var seen = new HashSet<Cid> { announcement.Cid };
        while (queue.TryDequeue(out var next))
        {
            if (documents.Count > _budget.MaxAncestors || next.Depth > _budget.MaxDepth)
                throw new TransactionRejectedException(RejectionReason.BudgetExceeded,
                    $"{announcement.Cid} pulls in more than {_budget.MaxAncestors} unknown ancestors or goes deeper than {_budget.MaxDepth}.");
            byte[] bytes;
            if (next.Bytes is { } given)
                bytes = given;
            else
            {
                await pinned.ClaimAsync(next.Cid, next.Cid, isWeights: false, cancellationToken);
                bytes = await FetchPinnedAsync(next.Cid, RejectionReason.UnknownParent, announcement.From, cancellationToken);
            }
            var parsed = guards.Verifier.Verify(next.Cid, bytes);
            if (documents.Count == 0 && announcement.Path != AnnouncementPath.Replay)
            {
                // Judged on the announced transaction alone, before any ancestor costs a fetch.
                if (announcement.Path == AnnouncementPath.Live && parsed.CreatedAt < now - guards.HistoryAgeMs)
                    return null;
                if (!guards.Rates.CreatorHasRoom(parsed.CreatorId, parsed.CreatedAt))
                    throw RateLimited(next.Cid, parsed);
            }
            documents.Add(new VerifiedTransaction(next.Cid, bytes, parsed, null));
            foreach (var parent in parsed.Parents)
                if (seen.Add(parent) && !replica.IsKnown(parent))
                {
                    // A replay rebuilds from this peer's own store, in the journal's order, parents first: a parent not
                    // in yet could not be replayed (its document left the store: retention released it, or it died in
                    // a crash). Left to catch-up at once, without asking neighbours or walking further back.
                    if (announcement.Path == AnnouncementPath.Replay)
                        return null;
                    queue.Enqueue((parent, null, next.Depth + 1));
                }
        }
        return documents;
    }

    /// <summary>A transaction cannot be older than what it approves (beyond the clock skew the tangle allows).</summary>
    private void CheckClocks(List<VerifiedTransaction> documents)
    {
        var fetched = documents.ToDictionary(d => d.Cid, d => d.Parsed.CreatedAt);
        var slack = (long)guards.Verifier.ClockSkew.TotalMilliseconds;
        foreach (var document in documents)
            foreach (var parent in document.Parsed.Parents)
            {
                var parentCreated = fetched.TryGetValue(parent, out var created) ? created : replica.Get(parent)?.Transaction.CreatedAt;
                if (parentCreated > document.Parsed.CreatedAt + slack)
                    throw new TransactionRejectedException(RejectionReason.Stale,
                        $"Transaction {document.Cid} was created at {document.Parsed.CreatedAt}, before its parent {parent} ({parentCreated}).");
            }
    }

    /// <summary>Parents before children (breadth-first discovery order is not: a parent may also be a grandparent).</summary>
    private static List<VerifiedTransaction> InsertionOrder(List<VerifiedTransaction> documents)
    {
        var byCid = documents.ToDictionary(d => d.Cid);
        var ordered = new List<VerifiedTransaction>(documents.Count);
        var placed = new HashSet<Cid>();
        var stack = new Stack<(VerifiedTransaction Document, bool ParentsDone)>();
        foreach (var root in documents)
        {
            stack.Push((root, false));
            while (stack.TryPop(out var entry))
            {
                if (placed.Contains(entry.Document.Cid)) continue;
                if (entry.ParentsDone)
                {
                    placed.Add(entry.Document.Cid);
                    ordered.Add(entry.Document);
                    continue;
                }
                stack.Push((entry.Document, true));
                foreach (var parent in entry.Document.Parsed.Parents)
                    if (byCid.TryGetValue(parent, out var fetched) && !placed.Contains(parent))
                        stack.Push((fetched, false));
            }
        }
        return ordered;
    }

    private async Task<int> InsertAsync(VerifiedTransaction item, bool isRoot, bool weighted, Announcement announcement, long now, PinClaims.Held pinned, CancellationToken cancellationToken)
    {
        if (replica.IsKnown(item.Cid)) return 0; // a concurrent ingestion brought it meanwhile
        var document = item.Parsed;
        var charged = announcement.Path != AnnouncementPath.Replay;
        // Looked at before the weights are fetched (a flood costs no downloads), taken only right before the insertion,
        // with no wait in between, so concurrent ingestions of one transaction do not charge its creator twice.
        if (charged && !guards.Rates.CreatorHasRoom(document.CreatorId, document.CreatedAt))
            throw RateLimited(item.Cid, document);
        var weights = await _weights.ForAsync(item, isRoot, weighted, announcement, now, pinned, cancellationToken);
        if (isRoot && announcement is { Path: not AnnouncementPath.Replay, Document: not null })
        {
            await pinned.ClaimAsync(item.Cid, item.Cid, isWeights: false, cancellationToken);
            await store.PutAsync(ContentCodec.DagJson, item.Document, cancellationToken);
        }
        if (replica.IsKnown(item.Cid)) return 0;
        if (charged && !guards.Rates.AdmitCreator(document.CreatorId, document.CreatedAt))
            throw RateLimited(item.Cid, document);
        var (added, refused) = replica.Insert(item with { Weights = weights });
        if (refused)
            throw new TransactionRejectedException(RejectionReason.InvalidParents, $"Transaction {item.Cid} breaks the tangle's rules for parents.");
        if (charged && added.Count == 0)
            guards.Rates.RefundCreator(document.CreatorId); // another ingestion inserted it between the check and here
        // Judged from the weights just decoded, not from memory, which a burst may already have moved past; and only once
        // admitted and inserted, so a refused flood costs no evaluations and takes no place among remembered scores.
        if (added.Count > 0 && weights is not null)
            judge?.Judge(document.Weights.ToString(), weights);
        // How long an announced transaction took to get here: the backlog the training loop yields to (CatchUpFirst).
        // What catch-up brings counts too: at a peer far behind, it is most of what arrives (the live path defers what
        // is older than the history age), and a peer catching up should do that before it trains on stale tips.
        if (added.Count > 0 && isRoot && charged)
            delays?.Arrived(document.CreatorId, document.CreatedAt);
        return added.Count;
    }

    private static TransactionRejectedException RateLimited(Cid cid, TransactionDocument document) =>
        new(RejectionReason.RateLimited, $"Creator {document.CreatorId} publishes faster than the tangle's rate allows ({cid}).");

    /// <summary>The block, pinned; any failure to get it, from anyone, is the reason given (the store's own errors included, but a full disk).</summary>
    private async Task<byte[]> FetchPinnedAsync(Cid cid, RejectionReason reasonWhenMissing, string? preferredPeer, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FetchPinnedAsync(cid, _budget.FetchTimeout, cancellationToken, preferredPeer);
        }
        catch (Exception e) when (e is not (OperationCanceledException or StoreFullException))
        {
            throw new TransactionRejectedException(reasonWhenMissing, $"Could not fetch {cid}: {e.Message}");
        }
    }

    /// <summary>Counts the rejection; remembers it (unless part of the announcement went in, which can change the verdict).</summary>
    private IngestOutcome Reject(RejectionReason reason, Cid cid, Activity? activity, string? message = null, int inserted = 0)
    {
        if (inserted == 0 && !reason.IsTransient() && !reason.IsAboutTheOffer())
            _rejected.Remember(cid, reason); // what is wrong with the transaction itself stays wrong
        metrics.Rejected(reason);
        activity?.SetStatus(ActivityStatusCode.Error, reason.Label());
        return new IngestOutcome(IngestStatus.Rejected, inserted, reason, message ?? $"{cid} was rejected before ({reason.Label()}).");
    }
}
