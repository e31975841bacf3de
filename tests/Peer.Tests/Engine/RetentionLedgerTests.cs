using MlAspire.Peer.Engine;
using MlAspire.Storage.Content;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Peer.Tests.Engine;

public class RetentionLedgerTests
{
    private static readonly ModelShape Shape = ModelShape.LogisticRegression(4, 2);

    private static ModelWeights Weights() => new(Shape, new float[Shape.ParameterCount]);

    // Weights are named by CID, as in a replica (the store's release parses them).
    private static string Blob(string name) => Cid.Compute(ContentCodec.Raw, System.Text.Encoding.UTF8.GetBytes(name)).ToString();

    private static Transaction Tx(string id, string parent, string weights, string publisher) =>
        new(id, [parent], Blob(weights), publisher, 0, TransactionMetrics.None);

    [Fact]
    public void A_blob_shared_with_a_protected_holder_stays_in_memory_when_a_newer_holder_is_evicted()
    {
        // A Sybil re-publishes the weights of an honest publisher's newest transaction, then floods: evicting its own
        // copy must not take the honest transaction's weights out of memory with it.
        var weights = new ValidatedWeights();
        var ledger = new RetentionLedger(weights);
        var graph = new TangleGraph(new Transaction("g", [], Blob("G"), "genesis", 0, TransactionMetrics.None));
        ledger.Admit(0, Blob("G"), Weights());
        var chain = new List<Transaction>
        {
            Tx("honest", "g", "S", "honest"),      // the honest publisher's newest: never evicted
            Tx("copy", "honest", "S", "sybil"),    // the same blob
            Tx("f1", "copy", "F1", "sybil"),
            Tx("f2", "f1", "F2", "sybil"),
            Tx("f3", "f2", "F3", "sybil"),
            Tx("f4", "f3", "F4", "sybil"),
        };
        foreach (var (transaction, sequence) in chain.Select((t, i) => (t, i + 1)))
        {
            Assert.Equal(AddStatus.Added, graph.Add(transaction).Status);
            ledger.Admit(sequence, transaction.WeightsId, Weights());
        }

        ledger.EvictFromMemory(graph, keepNewest: 2, new HashSet<string>());

        Assert.True(weights.Contains(Blob("S")), "the honest newest's weights left memory with the Sybil's copy");
        Assert.False(weights.Contains(Blob("F1")));
        Assert.True(weights.Contains(Blob("F4")));
        Assert.True(weights.Contains(Blob("G")));
        Assert.True(ledger.Holds(Blob("F1"))); // evicted from memory, still held in the store

        // Once the store releases the protected holder too, the blob goes.
        ledger.ReleaseWeights(graph, keepNewest: 2, new HashSet<string>());
        Assert.True(weights.Contains(Blob("S"))); // still the honest publisher's newest
    }
}
