using System.Runtime.InteropServices;

namespace MlAspire.Tangle.Dag;

/// <param name="MaxParents">Most parents one transaction may approve.</param>
/// <param name="WeightHorizon">
/// How many arrivals back a new transaction adds itself to its ancestors' cumulative weights (and counts them exactly).
/// Bounds the cost of <see cref="TangleGraph.Add"/> whatever the tangle's size: a transaction's cumulative weight counts
/// the approvers that arrived within this many transactions after it, which is exact for everything a walk near the
/// tips compares and saturates, identically for all siblings, deep in the tangle.
/// </param>
/// <param name="MaxPending">Most transactions held while waiting for parents; more are rejected so a flood of orphans cannot exhaust memory.</param>
public sealed record TangleOptions(int MaxParents = 16, int WeightHorizon = 1000, int MaxPending = 10_000);

/// <summary>
/// The tangle: a DAG of transactions, each approving earlier ones. Transactions are numbered by arrival
/// (their <em>sequence</em> in this replica); a transaction is inserted only after all its parents, so every
/// edge points to a smaller sequence and cycles cannot exist. Nothing here recurses on depth.
/// Not thread-safe: one writer; readers may run concurrently only while nothing is added.
/// </summary>
public sealed class TangleGraph
{
    private readonly TangleOptions _options;
    private readonly List<Transaction> _transactions = [];
    private readonly Dictionary<string, int> _sequenceById = new(StringComparer.Ordinal);
    private readonly List<int[]> _parents = [];
    private readonly List<int> _height = [];
    private readonly List<int> _cumulativeWeight = [];
    private readonly List<long> _ancestorCount = [];

    // Approvers as singly linked edge lists: one int per edge instead of one list object per transaction.
    private readonly List<int> _firstApproverEdge = [];
    private readonly List<int> _edgeApprover = [];
    private readonly List<int> _edgeNext = [];

    private readonly List<int> _tips = [];
    private readonly List<int> _tipSlot = [];

    // Publishers by their newest arrival, most recent first, for walk starts that no single publisher can crowd out.
    private readonly LinkedList<int> _byRecentPublisher = new();
    private readonly Dictionary<string, LinkedListNode<int>> _publisherNode = new(StringComparer.Ordinal);
    private volatile RecentStarts? _recentStarts;

    private readonly Dictionary<string, PendingTransaction> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PendingTransaction>> _waitingOn = new(StringComparer.Ordinal);

    // Scratch for the ancestor pass of Add: a visit stamp per transaction avoids clearing a set each time.
    private readonly List<int> _visitStamp = [];
    private readonly Stack<int> _scratchStack = new();
    private readonly List<int> _scratchFrontier = [];
    private int _stamp;

    public TangleGraph(Transaction genesis, TangleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        _options = options ?? new TangleOptions();
        if (_options.MaxParents < 1 || _options.WeightHorizon < 1 || _options.MaxPending < 0)
            throw new ArgumentOutOfRangeException(nameof(options), _options, "MaxParents and WeightHorizon must be positive, MaxPending not negative.");
        if (!genesis.IsGenesis)
            throw new ArgumentException("Genesis must have no parents.", nameof(genesis));
        var error = ValidateFields(genesis);
        if (error is not null)
            throw new ArgumentException(error, nameof(genesis));
        Insert(genesis, []);
    }

    public TangleOptions Options => _options;

    /// <summary>Inserted transactions (held ones not included).</summary>
    public int Count => _transactions.Count;

    public Transaction Genesis => _transactions[0];

    public Transaction this[int sequence] => _transactions[sequence];

    /// <summary>Sequences of the transactions nobody approves yet.</summary>
    public IReadOnlyList<int> Tips => _tips;

    /// <summary>Transactions held because a parent is missing.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Ids referenced as parents by held transactions but not known at all: what to fetch.</summary>
    public IEnumerable<string> MissingParents => _waitingOn.Keys.Where(id => !_pending.ContainsKey(id));

    public bool Contains(string id) => _sequenceById.ContainsKey(id);

    public bool IsPending(string id) => _pending.ContainsKey(id);

    public bool TryGetSequence(string id, out int sequence) => _sequenceById.TryGetValue(id, out sequence);

    public ReadOnlySpan<int> ParentsOf(int sequence) => _parents[sequence];

    public ApproverList ApproversOf(int sequence) => new(this, _firstApproverEdge[sequence]);

    public bool IsTip(int sequence) => _tipSlot[sequence] >= 0;

    /// <summary>Whether no later transaction of the same publisher has arrived.</summary>
    public bool IsNewestOfPublisher(int sequence) =>
        _publisherNode.TryGetValue(_transactions[sequence].Publisher, out var newest) && newest.Value == sequence;

    /// <summary>
    /// The newest arrival of each of the (at most <paramref name="publishers"/>) publishers that published most
    /// recently, newest first: those that published among the newest <paramref name="withinArrivals"/> transactions, and
    /// older ones until there are <paramref name="atLeast"/>. However much one publisher floods, it holds one place, and
    /// the honest publishers it pushed out of the window come back through the minimum; a publisher gone quiet (or
    /// genesis' creator) drops out once enough others are recent. Cached until the next insertion; safe for concurrent
    /// readers.
    /// </summary>
    public IReadOnlyList<int> NewestPerPublisher(int publishers, int withinArrivals, int atLeast)
    {
        var cached = _recentStarts;
        if (cached is not null && cached.Count == Count && cached.Key == (publishers, withinArrivals, atLeast))
            return cached.Sequences;
        var oldest = Count - withinArrivals;
        // The list is newest first, so the scan stops at the first publisher that qualifies neither way.
        var sequences = _byRecentPublisher.TakeWhile((sequence, index) => sequence >= oldest || index < atLeast).Take(publishers).ToArray();
        _recentStarts = new RecentStarts(Count, (publishers, withinArrivals, atLeast), sequences);
        return sequences;
    }

    private sealed record RecentStarts(int Count, (int, int, int) Key, int[] Sequences);

    /// <summary>Longest path from genesis (genesis is 0).</summary>
    public int HeightOf(int sequence) => _height[sequence];

    /// <summary>1 + the approvers (direct or indirect) that arrived within <see cref="TangleOptions.WeightHorizon"/> transactions after it.</summary>
    public int CumulativeWeightOf(int sequence) => _cumulativeWeight[sequence];

    /// <summary>
    /// How many transactions this one approves directly or indirectly. Exact while every ancestor lies within the
    /// weight horizon (always for tangles no larger than it, and for chains); beyond it, estimated from the ancestors
    /// at the horizon's edge.
    /// </summary>
    public long AncestorCountOf(int sequence) => _ancestorCount[sequence];

    /// <summary>Adds a transaction. Idempotent; holds it while parents are missing; never throws on bad input.</summary>
    public AddResult Add(Transaction transaction)
    {
        if (transaction is null)
            return AddResult.Reject("Transaction is null.");
        if (_sequenceById.ContainsKey(transaction.Id ?? "") || _pending.ContainsKey(transaction.Id ?? ""))
            return AddResult.Duplicate;
        var error = ValidateFields(transaction) ?? ValidateParents(transaction);
        if (error is not null)
            return AddResult.Reject(error);

        var missing = transaction.Parents.Where(p => !_sequenceById.ContainsKey(p)).ToList();
        if (missing.Count > 0)
            return Hold(transaction, missing);

        var inserted = new List<Transaction>();
        InsertAndRelease(transaction, inserted);
        return new AddResult(AddStatus.Added, inserted, [], null);
    }

    /// <summary>Every transaction this one approves, directly or indirectly (walks the whole past: for queries, not hot paths).</summary>
    public IReadOnlySet<int> AncestorsOf(int sequence) => Closure(sequence, static (g, s, visit) =>
    {
        foreach (var p in g.ParentsOf(s))
            visit(p);
    });

    /// <summary>Every transaction that approves this one, directly or indirectly (its future set).</summary>
    public IReadOnlySet<int> FutureSetOf(int sequence) => Closure(sequence, static (g, s, visit) =>
    {
        foreach (var a in g.ApproversOf(s))
            visit(a);
    });

    private HashSet<int> Closure(int start, Action<TangleGraph, int, Action<int>> neighbours)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push(start);
        while (stack.TryPop(out var current))
            neighbours(this, current, next =>
            {
                if (seen.Add(next))
                    stack.Push(next);
            });
        return seen;
    }

    private static string? ValidateFields(Transaction t)
    {
        if (string.IsNullOrWhiteSpace(t.Id)) return "Transaction id is empty.";
        if (string.IsNullOrWhiteSpace(t.WeightsId)) return $"Transaction {t.Id} has no weights id.";
        if (t.Publisher is null) return $"Transaction {t.Id} has no publisher.";
        if (t.Parents is null) return $"Transaction {t.Id} has no parent list.";
        if (t.Metrics is null) return $"Transaction {t.Id} has no metrics.";
        if (t.Metrics.SampleCount < 0) return $"Transaction {t.Id} claims {t.Metrics.SampleCount} samples.";
        return null;
    }

    private string? ValidateParents(Transaction t)
    {
        if (t.Parents.Count == 0) return $"Transaction {t.Id} has no parents; only genesis may.";
        if (t.Parents.Count > _options.MaxParents) return $"Transaction {t.Id} has {t.Parents.Count} parents; at most {_options.MaxParents} are allowed.";
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parent in t.Parents)
        {
            if (string.IsNullOrWhiteSpace(parent)) return $"Transaction {t.Id} names an empty parent id.";
            if (parent == t.Id) return $"Transaction {t.Id} approves itself.";
            if (!distinct.Add(parent)) return $"Transaction {t.Id} names parent {parent} twice.";
        }
        return null;
    }

    private AddResult Hold(Transaction transaction, List<string> missing)
    {
        if (_pending.Count >= _options.MaxPending)
            return AddResult.Reject($"Transaction {transaction.Id} waits for {missing.Count} parent(s) but {_pending.Count} transactions are already held (limit {_options.MaxPending}).");
        var held = new PendingTransaction(transaction, missing.Count);
        _pending.Add(transaction.Id, held);
        foreach (var parent in missing)
        {
            if (!_waitingOn.TryGetValue(parent, out var waiters))
                _waitingOn[parent] = waiters = [];
            waiters.Add(held);
        }
        return new AddResult(AddStatus.Pending, [], missing.Where(p => !_pending.ContainsKey(p)).ToList(), null);
    }

    private void InsertAndRelease(Transaction first, List<Transaction> inserted)
    {
        var ready = new Queue<Transaction>();
        ready.Enqueue(first);
        while (ready.TryDequeue(out var transaction))
        {
            Insert(transaction, transaction.Parents.Select(p => _sequenceById[p]).ToArray());
            inserted.Add(transaction);
            if (!_waitingOn.Remove(transaction.Id, out var waiters))
                continue;
            foreach (var waiter in waiters)
            {
                if (--waiter.MissingCount > 0)
                    continue;
                _pending.Remove(waiter.Transaction.Id);
                ready.Enqueue(waiter.Transaction);
            }
        }
    }

    private void Insert(Transaction transaction, int[] parents)
    {
        var sequence = _transactions.Count;
        _transactions.Add(transaction);
        _sequenceById.Add(transaction.Id, sequence);
        _parents.Add(parents);
        _firstApproverEdge.Add(-1);
        _cumulativeWeight.Add(1);
        _visitStamp.Add(0);
        _tipSlot.Add(-1);

        var height = 0;
        foreach (var parent in parents)
        {
            height = Math.Max(height, _height[parent] + 1);
            _edgeApprover.Add(sequence);
            _edgeNext.Add(_firstApproverEdge[parent]);
            _firstApproverEdge[parent] = _edgeApprover.Count - 1;
            RemoveTip(parent);
        }
        _height.Add(height);
        _ancestorCount.Add(WeighAncestors(sequence, parents));
        AddTip(sequence);
        if (_publisherNode.Remove(transaction.Publisher, out var previous))
            _byRecentPublisher.Remove(previous);
        _publisherNode[transaction.Publisher] = _byRecentPublisher.AddFirst(sequence);
    }

    /// <summary>
    /// Adds the new transaction to the cumulative weight of every ancestor within the horizon and counts its ancestors.
    /// Iterative, and bounded by the horizon rather than by the tangle's size.
    /// </summary>
    private long WeighAncestors(int sequence, int[] parents)
    {
        var windowStart = sequence - _options.WeightHorizon;
        var stamp = ++_stamp;
        var stamps = CollectionsMarshal.AsSpan(_visitStamp);
        var weights = CollectionsMarshal.AsSpan(_cumulativeWeight);
        _scratchFrontier.Clear();
        foreach (var parent in parents)
        {
            stamps[parent] = stamp;
            _scratchStack.Push(parent);
        }

        long withinHorizon = 0;
        while (_scratchStack.TryPop(out var current))
        {
            if (current < windowStart)
            {
                _scratchFrontier.Add(current);
                continue;
            }
            withinHorizon++;
            weights[current]++;
            foreach (var parent in _parents[current])
            {
                if (stamps[parent] == stamp) continue;
                stamps[parent] = stamp;
                _scratchStack.Push(parent);
            }
        }

        if (_scratchFrontier.Count == 0)
            return withinHorizon;
        // Past the horizon: the deepest-reaching edge transaction's own past, plus the other edge transactions themselves.
        var beyond = _scratchFrontier.Max(f => _ancestorCount[f] + 1) + _scratchFrontier.Count - 1;
        return withinHorizon + beyond;
    }

    private void AddTip(int sequence)
    {
        _tipSlot[sequence] = _tips.Count;
        _tips.Add(sequence);
    }

    private void RemoveTip(int sequence)
    {
        var slot = _tipSlot[sequence];
        if (slot < 0) return;
        var last = _tips[^1];
        _tips[slot] = last;
        _tipSlot[last] = slot;
        _tips.RemoveAt(_tips.Count - 1);
        _tipSlot[sequence] = -1;
    }

    private sealed class PendingTransaction(Transaction transaction, int missingCount)
    {
        public Transaction Transaction { get; } = transaction;
        public int MissingCount { get; set; } = missingCount;
    }

    /// <summary>Allocation-free enumeration of a transaction's direct approvers.</summary>
    public readonly struct ApproverList(TangleGraph graph, int firstEdge)
    {
        public bool IsEmpty => firstEdge < 0;

        public Enumerator GetEnumerator() => new(graph, firstEdge);

        public struct Enumerator(TangleGraph graph, int firstEdge)
        {
            private int _next = firstEdge;

            public int Current { get; private set; }

            public bool MoveNext()
            {
                if (_next < 0) return false;
                Current = graph._edgeApprover[_next];
                _next = graph._edgeNext[_next];
                return true;
            }
        }
    }
}
