using MlAspire.Storage.Content;
using MlAspire.Tangle.Learning;

namespace MlAspire.Bootstrap.Genesis;

/// <summary>The two blocks that start the tangle: the genesis transaction (dag-json) and the initial weights (raw).</summary>
/// <param name="CreatorKey">The public key that signed the genesis: members check every credential against it.</param>
public sealed record GenesisBlocks(Cid TransactionCid, ReadOnlyMemory<byte> Transaction, Cid WeightsCid, ReadOnlyMemory<byte> Weights, ModelShape Shape, string CreatorKey)
{
    /// <summary>The block named <paramref name="cid"/>, if it is one of the two.</summary>
    public bool TryFind(Cid cid, out ReadOnlyMemory<byte> block)
    {
        if (cid.Equals(TransactionCid))
        {
            block = Transaction;
            return true;
        }
        if (cid.Equals(WeightsCid))
        {
            block = Weights;
            return true;
        }
        block = default;
        return false;
    }
}
