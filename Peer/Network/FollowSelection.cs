namespace MlAspire.Peer.Network;

/// <summary>
/// Which members a peer follows (reads the live announcements and history of). Following every member costs each peer
/// one copy of every transaction per member: at 50 peers and 10 transactions a second, 49 × 10 = 490 announcements a
/// second each, nearly all duplicates, and the network's work grows with the square of its size. A peer follows at most
/// <see cref="Degree"/> instead, and transactions travel in a few hops, since followers relay what they insert:
/// <list type="bullet">
/// <item>half on a ring ordered by peer id, the members right after this one, so every member is followed by at
/// least that many others (none is left unheard, as random choices alone would leave one in a few thousand);</item>
/// <item>the rest at random, kept while they stay members, so the overlay's diameter stays logarithmic, and a
/// Sybil operator who grinds identities to surround a peer on the ring still cannot choose its random half.</item>
/// </list>
/// With no more members than the degree, it follows them all. Ring positions are peer ids, which an attacker can grind;
/// <see cref="MemberSampler"/> covers a member whose followers all withhold its transactions, and one random slot is
/// drawn again now and then (<see cref="RedrawOne"/>).
/// </summary>
/// <remarks>Not thread-safe except <see cref="Followed"/>: <see cref="GossipService"/> calls it from its one loop.</remarks>
public sealed class FollowSelection(string self, int degree, Random random)
{
    public const int DefaultDegree = 8;

    public int Degree { get; } = degree > 0 ? degree : throw new ArgumentOutOfRangeException(nameof(degree), degree, "A peer must follow at least one member.");

    private readonly HashSet<string> _random = new(StringComparer.Ordinal);
    private volatile IReadOnlySet<string> _followed = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>What <see cref="Choose"/> chose last (read from other threads).</summary>
    public IReadOnlySet<string> Followed => _followed;

    /// <summary>
    /// Frees one random slot, for <see cref="Choose"/> to draw again: honest members come and go and their slots are
    /// drawn anew, while Sybils stay, so without redrawing the random half would drift towards them.
    /// </summary>
    public void RedrawOne()
    {
        if (_random.Count > 0)
            _random.Remove(_random.ElementAt(random.Next(_random.Count)));
    }

    /// <summary>The members to follow now, out of <paramref name="members"/> (this peer's own id among them or not).</summary>
    public IReadOnlySet<string> Choose(IEnumerable<string> members)
    {
        var others = members.Where(m => m != self).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (others.Count <= Degree)
            return _followed = others.ToHashSet(StringComparer.Ordinal);
        var ringCount = (Degree + 1) / 2;
        var after = others.FindIndex(m => string.CompareOrdinal(m, self) > 0);
        var start = after < 0 ? 0 : after;
        var chosen = Enumerable.Range(0, ringCount).Select(i => others[(start + i) % others.Count]).ToHashSet(StringComparer.Ordinal);

        _random.RemoveWhere(m => chosen.Contains(m) || others.BinarySearch(m, StringComparer.Ordinal) < 0);
        var pool = others.Where(m => !chosen.Contains(m) && !_random.Contains(m)).ToList();
        while (_random.Count < Degree - ringCount && pool.Count > 0)
        {
            var pick = random.Next(pool.Count);
            _random.Add(pool[pick]);
            pool.RemoveAt(pick);
        }
        chosen.UnionWith(_random.Take(Degree - ringCount));
        return _followed = chosen;
    }
}
