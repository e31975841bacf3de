using Microsoft.Extensions.Options;

namespace MlAspire.Bootstrap.Tests;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Bootstrap:Model:Architecture", "cnn", "Model:Architecture")]
    [InlineData("Bootstrap:MaxParents", "2", "MaxParents")]
    [InlineData("Bootstrap:Learning:TipCandidates", "1", "TipCandidates")]
    [InlineData("Bootstrap:PeerTimeout", "00:00:01", "PeerTimeout")]
    [InlineData("Bootstrap:Training:ActiveQuota", "0", "ActiveQuota")]
    [InlineData("Bootstrap:MaxPeers", "0", "MaxPeers")]
    [InlineData("Bootstrap:Data:Partition", "dirichlet", "Data:Partition")]
    public async Task Invalid_configuration_stops_the_start_and_names_the_setting(string key, string value, string named)
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { [key] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => host.Start());

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }
}
