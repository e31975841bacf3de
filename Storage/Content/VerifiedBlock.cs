namespace MlAspire.Storage.Content;

/// <summary>
/// A block's bytes, known to hash to its CID: the only way to make one is to hash them. What crosses from a block source
/// into a store is one of these, so the block is hashed once on its way in, by whoever picks among the answers, and a
/// store cannot take unchecked bytes by mistake. SHA-256 of the 200 KB weights blocks was a sixth of a peer's CPU while
/// each was hashed twice on arrival and again every time it was served (docs/benchmarks.md).
/// </summary>
public sealed class VerifiedBlock
{
    private VerifiedBlock(Cid cid, byte[] bytes)
    {
        Cid = cid;
        Bytes = bytes;
    }

    public Cid Cid { get; }

    /// <summary>The bytes; nobody writes to them (they are the block).</summary>
    public byte[] Bytes { get; }

    /// <summary>The block, when <paramref name="bytes"/> hash to <paramref name="cid"/>; null otherwise.</summary>
    public static VerifiedBlock? TryCreate(Cid cid, byte[] bytes) => cid.Matches(bytes) ? new VerifiedBlock(cid, bytes) : null;
}
