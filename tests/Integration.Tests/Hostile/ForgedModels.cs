using Grpc.Core;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member publishing models it makes from honest ones, at a steady rate: the loop, signing and counting that the
/// attackers reading the honest tangle share (<see cref="SignFlipper"/>, <see cref="FreeRider"/>). They read
/// transactions and weights from an honest peer, as any member may.
/// </summary>
public sealed class ForgedModels : IAsyncDisposable
{
    private readonly PacedLoop _loop;
    private int _published;
    private int _failed;

    /// <param name="make">The parents to approve and the model to publish, or null to skip this turn.</param>
    public ForgedModels(HostileMember member, double perSecond, Func<(IReadOnlyList<Cid> Parents, ModelWeights Weights)?> make) =>
        _loop = new PacedLoop(perSecond, _ =>
        {
            try
            {
                if (make() is not { } made) return;
                member.Announcements.Offer(member.Forge.Sign(member.Key, made.Parents, member.Forge.PutWeights(made.Weights)));
                Interlocked.Increment(ref _published);
            }
            catch (Exception e) when (e is RpcException or FormatException or InvalidDataException)
            {
                // A transaction or weights the source no longer holds (or a genesis without parents): another next time.
                Interlocked.Increment(ref _failed);
            }
        });

    /// <summary>Transactions offered so far.</summary>
    public int Published => Volatile.Read(ref _published);

    /// <summary>Turns that found no usable honest model.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public static TransactionDocument Document(TangleSync.TangleSyncClient source, Cid transaction) =>
        TransactionCodec.Decode(Block(source, transaction));

    public static ModelWeights Weights(TangleSync.TangleSyncClient source, Cid weights) => WeightCodec.Decode(Block(source, weights));

    /// <summary>The transactions' models combined by <paramref name="aggregator"/>, as a peer approving them would.</summary>
    public static ModelWeights Aggregate(TangleSync.TangleSyncClient source, IAggregator aggregator, IEnumerable<Cid> transactions) =>
        aggregator.Aggregate([.. transactions.Select(t =>
            new PublishedModel(new Transaction(t.ToString(), [], "", "", 0, TransactionMetrics.None), Weights(source, Document(source, t).Weights)))]);

    private static ReadOnlySpan<byte> Block(TangleSync.TangleSyncClient source, Cid cid) =>
        source.GetBlock(new GetBlockRequest { Cid = cid.ToString() }, deadline: DateTime.UtcNow.AddSeconds(5)).Data.Span;

    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
