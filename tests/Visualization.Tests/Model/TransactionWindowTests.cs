using MlAspire.Visualization.Model;

namespace MlAspire.Visualization.Tests.Model;

public sealed class TransactionWindowTests
{
    internal static TransactionView Transaction(long sequence, params string[] parents) =>
        new(sequence, $"tx-{sequence}", parents, "publisher", 0.5, 0.9, 1_700_000_000_000 + sequence);

    [Fact]
    public void A_replayed_transaction_is_kept_once()
    {
        var window = new TransactionWindow(10);
        Assert.True(window.Add(Transaction(0)));
        Assert.False(window.Add(Transaction(0)));
        Assert.Equal(1, window.Count);
    }

    [Fact]
    public void Beyond_its_capacity_the_oldest_go_and_are_forgotten()
    {
        var window = new TransactionWindow(100);
        for (var i = 0; i < 1_000; i++)
            window.Add(Transaction(i, i > 0 ? $"tx-{i - 1}" : "genesis"));

        Assert.Equal(100, window.Count);
        Assert.Equal(Enumerable.Range(900, 100).Select(i => $"tx-{i}"), window.ToArray().Select(t => t.Cid));
        Assert.False(window.Contains("tx-899"));
        Assert.True(window.Contains("tx-900"));
        // Forgotten, so a replay of an evicted transaction is new again (it comes back as the newest).
        Assert.True(window.Add(Transaction(5)));
    }
}
