using Google.Protobuf;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>A signed transaction with the bytes that hash to its CID.</summary>
public sealed record SignedTransaction(Cid Cid, byte[] Bytes, TransactionDocument Document)
{
    public TransactionMessage ToMessage(long sequence)
    {
        var message = new TransactionMessage
        {
            Sequence = sequence,
            Cid = Cid.ToString(),
            Document = ByteString.CopyFrom(Bytes),
            Publisher = Document.CreatorId,
            LocalLoss = Document.Metrics.LocalLoss,
            LocalAccuracy = Document.Metrics.LocalAccuracy,
            CreatedAtMs = Document.CreatedAt,
        };
        message.Parents.AddRange(Document.Parents.Select(p => p.ToString()));
        return message;
    }
}

/// <summary>
/// Builds well-formed transactions of one tangle, signed by whichever key the attack needs (the member's own, with its
/// credential, or a key that never joined, with none), and puts them and their weights on the shelf the member serves
/// blocks from.
/// </summary>
/// <param name="credentialOf">The credential a key holds: the member's own for its key, null for any other.</param>
public sealed class TransactionForge(Cid genesis, ModelShape shape, BlockShelf blocks, Func<PeerKey, MembershipCredential?> credentialOf)
{
    /// <summary>What an honest peer with one data slot of MNIST claims.</summary>
    public static readonly TransactionMetrics PlausibleMetrics = new(0.35, 0.9, 640);

    public Cid Genesis { get; } = genesis;

    public ModelShape Shape { get; } = shape;

    public BlockShelf Blocks { get; } = blocks;

    /// <summary>Stores weights of the tangle's shape; the same weights always give the same CID (one block).</summary>
    public Cid PutWeights(ModelWeights weights) => Blocks.Put(ContentCodec.Raw, WeightCodec.Encode(weights));

    /// <summary>Freshly initialized weights of the right shape: valid, finite, and useless.</summary>
    public Cid PutRandomWeights(Random random) => PutWeights(Models.Create(Shape).Initialize(random));

    public SignedTransaction Sign(PeerKey key, IReadOnlyList<Cid> parents, Cid weights, TransactionMetrics? metrics = null)
    {
        var bytes = TransactionCodec.Encode(Document(key, Genesis, parents, weights, metrics ?? PlausibleMetrics));
        return new SignedTransaction(Blocks.Put(ContentCodec.DagJson, bytes), bytes, TransactionCodec.Decode(bytes));
    }

    /// <summary>A document signed now by <paramref name="key"/>, carrying the credential it holds (if any), for any tangle.</summary>
    public TransactionDocument Document(PeerKey key, Cid genesis, IReadOnlyList<Cid> parents, Cid weights, TransactionMetrics metrics) =>
        TransactionDocument.CreateSigned(genesis, parents, weights, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), metrics, key, credentialOf(key));

    /// <summary>A weights CID nobody serves: what an old transaction whose weights were released links.</summary>
    public static Cid ReleasedWeights { get; } = Cid.Compute(ContentCodec.Raw, "weights nobody holds any more"u8);

    /// <summary>
    /// <paramref name="length"/> transactions, each approving the one before; the first approves <paramref name="root"/>.
    /// All link <paramref name="weights"/>, except the newest when <paramref name="newestWeights"/> is given.
    /// </summary>
    public IReadOnlyList<SignedTransaction> Chain(PeerKey key, Cid root, Cid weights, int length, Cid? newestWeights = null)
    {
        var chain = new List<SignedTransaction>(length);
        var parent = root;
        for (var i = 0; i < length; i++)
        {
            var next = Sign(key, [parent], i == length - 1 ? newestWeights ?? weights : weights);
            chain.Add(next);
            parent = next.Cid;
        }
        return chain;
    }
}
