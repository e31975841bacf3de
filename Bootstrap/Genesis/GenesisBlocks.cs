using MlAspire.Storage.Content;
using MlAspire.Tangle.Learning;

namespace MlAspire.Bootstrap.Genesis;

/// <summary>
/// The blocks that start the tangle: the genesis transaction (dag-json) and the initial weights, one raw block or a
/// file of chunks under a dag-pb root (<see cref="UnixFsFile"/>).
/// </summary>
/// <param name="CreatorKey">The public key that signed the genesis: members check every credential against it.</param>
public sealed record GenesisBlocks(Cid TransactionCid, ReadOnlyMemory<byte> Transaction, Cid WeightsCid, ReadOnlyMemory<byte> Weights, ModelShape Shape, string CreatorKey)
{
    // A genesis from before files links its weights as one raw block, whatever their size.
    private readonly Lazy<IReadOnlyList<ContentBlock>> _weightBlocks = new(() =>
        WeightsCid.Codec == ContentCodec.Raw ? [new ContentBlock(WeightsCid, Weights)] : UnixFsFile.Build(Weights));

    /// <summary>The block named <paramref name="cid"/>, if it is the transaction or a block of the weights.</summary>
    public bool TryFind(Cid cid, out ReadOnlyMemory<byte> block)
    {
        if (cid.Equals(TransactionCid))
        {
            block = Transaction;
            return true;
        }
        var found = _weightBlocks.Value.FirstOrDefault(b => b.Cid.Equals(cid));
        block = found?.Bytes ?? default;
        return found is not null;
    }
}
