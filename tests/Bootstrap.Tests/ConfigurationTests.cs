extern alias BootstrapApp;

using Microsoft.Extensions.Options;
using BootstrapApp::MlAspire.Bootstrap;
using MlAspire.Tangle;
using MlAspire.Tangle.Learning;

namespace MlAspire.Bootstrap.Tests;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Bootstrap:Model:Architecture", "cnn", "Model:Architecture")]
    [InlineData("Bootstrap:Model:Architecture", "input:784, dense:10", "must start with input:SHAPE and end with softmax")]
    [InlineData("Bootstrap:Model:Inputs", "28x28", "Model:Inputs")]
    [InlineData("Bootstrap:Model:Architecture", "input:784, dense:16384, relu, dense:10, softmax", "more than the 45,613,056 a transaction")]
    [InlineData("Bootstrap:MaxParents", "2", "MaxParents")]
    [InlineData("Bootstrap:Learning:TipCandidates", "1", "TipCandidates")]
    [InlineData("Bootstrap:PeerTimeout", "00:00:01", "PeerTimeout")]
    [InlineData("Bootstrap:Training:ActiveQuota", "0", "ActiveQuota")]
    [InlineData("Bootstrap:MaxPeers", "0", "MaxPeers")]
    [InlineData("Bootstrap:Data:Partition", "dirichlet", "Data:Partition")]
    [InlineData("Bootstrap:Training:Interval", "00:00:00", "TrainingInterval")]
    [InlineData("Bootstrap:ClockSkew", "00:00:00", "ClockSkew")]
    [InlineData("Bootstrap:CredentialLifetime", "00:00:10", "CredentialLifetime")]
    [InlineData("Bootstrap:MaxObservers", "0", "MaxObservers")]
    public async Task Invalid_configuration_stops_the_start_and_names_the_setting(string key, string value, string named)
    {
        using var data = new TempDirectory();
        var refused = await BootstrapHost.RefusedStartAsync<OptionsValidationException>(() => new BootstrapHost(data.Path, new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Missing_demonstration_data_stops_the_start_before_a_genesis_is_made()
    {
        using var data = new TempDirectory();
        using var empty = new TempDirectory();
        var refused = await BootstrapHost.RefusedStartAsync<InvalidOperationException>(() =>
            new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:Data:Directory"] = empty.Path }));

        Assert.Contains("Bootstrap:Data:Directory", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public void The_tangle_s_rules_come_from_the_existing_settings()
    {
        var options = new BootstrapOptions { Model = new ModelOptions { Architecture = "logreg" }, MaxParents = 5, Training = new TrainingOptions { Interval = TimeSpan.FromSeconds(3) } };

        Assert.Equal(new TangleRules(ModelShape.LogisticRegression(784, 10), 5, TimeSpan.FromSeconds(3)), options.Rules);
    }
}
