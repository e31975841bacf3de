namespace MlAspire.Peer.Hosting;

/// <summary>
/// Decides when retention may collect garbage. A collection locks an IPFS node's blockstore (js-ipfs and Kubo alike):
/// adds, pins and unpins wait while it runs. On js-ipfs with the LEAF CNN's 26 MB weights one took 4-7 s, and one every
/// 2 s left publishing and fetching starved (block/put unanswered for 30 s). So after a collection that took d, the next
/// waits at least <see cref="QuietFactor"/> x d: the node spends at most a tenth of its time collecting, however slow
/// collection becomes, and at most <see cref="LongestQuiet"/> goes by without one, so garbage cannot pile up without end
/// as collections grow slower. A fast store (the embedded one, milliseconds) is collected on every pass as before.
/// </summary>
public sealed class CollectionPacer(TimeProvider time)
{
    /// <summary>Time without collecting after a collection, as a multiple of how long it took.</summary>
    public const int QuietFactor = 9;

    /// <summary>The longest wait after a collection, however long it took.</summary>
    public static readonly TimeSpan LongestQuiet = TimeSpan.FromMinutes(5);

    private long _notBefore;

    public bool IsDue => time.GetTimestamp() >= _notBefore;

    /// <summary>Records a collection that started at <paramref name="startedTimestamp"/> (<see cref="TimeProvider.GetTimestamp"/>) and has just ended.</summary>
    public void Collected(long startedTimestamp)
    {
        var now = time.GetTimestamp();
        var longest = (long)(LongestQuiet.TotalSeconds * time.TimestampFrequency);
        _notBefore = now + Math.Min((now - startedTimestamp) * QuietFactor, longest);
    }
}
