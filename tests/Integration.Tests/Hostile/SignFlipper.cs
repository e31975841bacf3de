using Grpc.Core;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Aggregation;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// A member that publishes honest updates turned around, at the training rate, like a peer that trains: it takes an
/// honest tip and the aggregate of that tip's parents (where its training started, by the tangle's own aggregator) and
/// publishes start − factor × (tip − start), approving the honest tips (the simulator's sign-flip:FACTOR). The model
/// sits within factor update lengths of the honest ones, so nothing about it looks extreme; it undoes progress. It
/// reads the tangle and fetches weights from an honest peer.
/// </summary>
public sealed class SignFlipper : IAsyncDisposable
{
    private readonly PacedLoop _loop;

    public SignFlipper(HostileMember member, HonestFrontier honest, TangleSync.TangleSyncClient source, IAggregator aggregator, double factor,
        double perSecond, int maxParents, int seed = 1)
    {
        var random = new Random(seed);
        _loop = new PacedLoop(perSecond, _ =>
        {
            var tips = honest.Tips;
            if (tips.Count == 0) return;
            try
            {
                var tip = Document(source, tips[random.Next(tips.Count)]);
                var parents = tip.Parents
                    .Select(p => new PublishedModel(new Transaction(p.ToString(), [], "", "", 0, TransactionMetrics.None), Weights(source, Document(source, p).Weights)))
                    .ToList();
                var start = aggregator.Aggregate(parents).ToArray();
                var trained = Weights(source, tip.Weights).Values;
                for (var i = 0; i < start.Length; i++)
                    start[i] -= (float)factor * (trained[i] - start[i]);
                var transaction = member.Forge.Sign(member.Key, [.. tips.Take(maxParents)], member.Forge.PutWeights(new ModelWeights(member.Forge.Shape, start)));
                member.Announcements.Offer(transaction);
                Interlocked.Increment(ref _published);
            }
            catch (Exception e) when (e is RpcException or FormatException or InvalidDataException)
            {
                // A tip or parent whose weights the source no longer holds (or a genesis without parents): another next time.
                Interlocked.Increment(ref _failed);
            }
        });
    }

    private int _published;
    private int _failed;

    /// <summary>Attempts that found no usable tip.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Sign-flipped transactions offered so far.</summary>
    public int Published => Volatile.Read(ref _published);

    private static TransactionDocument Document(TangleSync.TangleSyncClient source, Cid cid) =>
        TransactionCodec.Decode(source.GetBlock(new GetBlockRequest { Cid = cid.ToString() }, deadline: DateTime.UtcNow.AddSeconds(5)).Data.Span);

    private static ModelWeights Weights(TangleSync.TangleSyncClient source, Cid cid) =>
        WeightCodec.Decode(source.GetBlock(new GetBlockRequest { Cid = cid.ToString() }, deadline: DateTime.UtcNow.AddSeconds(5)).Data.Span);

    public ValueTask DisposeAsync() => _loop.DisposeAsync();
}
