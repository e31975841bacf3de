using Microsoft.Extensions.Configuration;
using MlAspire.Peer.Hosting;

namespace MlAspire.Peer.Tests.Hosting;

public sealed class PeerOptionsTests
{
    [Fact]
    public void The_ingest_budget_and_stream_limits_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Peer:IngestBudget:MaxAncestors"] = "100",
            ["Peer:IngestBudget:MaxDepth"] = "20",
            ["Peer:IngestBudget:MaxDuration"] = "00:00:05",
            ["Peer:MaxWatchers"] = "3",
            ["Peer:MaxStreamsPerMember"] = "1",
        }).Build();

        var options = configuration.GetSection(PeerOptions.Section).Get<PeerOptions>()!;

        Assert.Equal(100, options.IngestBudget.MaxAncestors);
        Assert.Equal(20, options.IngestBudget.MaxDepth);
        Assert.Equal(TimeSpan.FromSeconds(5), options.IngestBudget.MaxDuration);
        Assert.Equal(32, options.IngestBudget.MaxWeightedAncestors); // unset: the default
        Assert.Equal((3, 1), (options.MaxWatchers, options.MaxStreamsPerMember));
    }
}
