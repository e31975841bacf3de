using Microsoft.Extensions.Configuration;

namespace MlAspire.Visualization.Tests.Model;

public sealed class OptionsTests
{
    [Fact]
    public void A_setting_it_cannot_run_with_is_refused_by_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new VisualizationOptions { TransactionsPerPeer = 0 }.Validate());
        Assert.Contains("Visualization:TransactionsPerPeer", error.Message);
    }

    [Fact]
    public void The_bootstrap_address_comes_from_the_setting_or_from_service_discovery_or_a_clear_error()
    {
        var discovered = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["services:bootstrap:grpc:0"] = "http://localhost:7001" }).Build();
        var empty = new ConfigurationBuilder().Build();

        Assert.Equal("http://localhost:7001", new VisualizationOptions().ResolveBootstrapAddress(discovered));
        Assert.Equal("http://10.0.0.1:5101", new VisualizationOptions { BootstrapAddress = "http://10.0.0.1:5101" }.ResolveBootstrapAddress(discovered));
        Assert.Contains("Visualization:BootstrapAddress", Assert.Throws<InvalidOperationException>(() => new VisualizationOptions().ResolveBootstrapAddress(empty)).Message);
    }
}
