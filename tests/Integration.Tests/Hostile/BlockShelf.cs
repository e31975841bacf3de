using System.Collections.Concurrent;
using MlAspire.Storage.Content;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>The blocks a hostile member serves on GetBlock, by CID.</summary>
public sealed class BlockShelf
{
    private readonly ConcurrentDictionary<Cid, byte[]> _blocks = new();

    public int Count => _blocks.Count;

    public Cid Put(ContentCodec codec, byte[] data)
    {
        var cid = Cid.Compute(codec, data);
        _blocks[cid] = data;
        return cid;
    }

    /// <summary>Serves <paramref name="data"/> under <paramref name="cid"/> whether or not it hashes to it (for forgeries).</summary>
    public void PutUnder(Cid cid, byte[] data) => _blocks[cid] = data;

    public bool TryGet(Cid cid, out byte[] data) => _blocks.TryGetValue(cid, out data!);
}
