using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MlAspire.Peer.Tests.Hosting;

/// <summary>Peer:JoinTokenFile, as a peer outside the cluster is given its token.</summary>
public sealed class SecretFileSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlaspire-secret-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ConfigurationManager Configuration(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(settings.Select(setting => KeyValuePair.Create<string, string?>(setting.Key, setting.Value)));
        return configuration;
    }

    [Fact]
    public void The_files_content_without_its_line_break_becomes_the_setting()
    {
        var file = Path.Combine(_folder, "join-token");
        File.WriteAllText(file, "s3cret\n");
        var configuration = Configuration(("Peer:JoinTokenFile", file));
        configuration.ReadSecretFile("Peer:JoinToken");
        Assert.Equal("s3cret", configuration["Peer:JoinToken"]);
    }

    [Fact]
    public void A_missing_or_empty_file_or_both_settings_stop_the_service_with_the_reason()
    {
        var empty = Path.Combine(_folder, "empty");
        File.WriteAllText(empty, "\n");
        foreach (var configuration in new[]
                 {
                     Configuration(("Peer:JoinTokenFile", Path.Combine(_folder, "missing"))),
                     Configuration(("Peer:JoinTokenFile", empty)),
                     Configuration(("Peer:JoinTokenFile", empty), ("Peer:JoinToken", "inline")),
                 })
        {
            var error = Assert.Throws<InvalidOperationException>(() => configuration.ReadSecretFile("Peer:JoinToken"));
            Assert.Contains("Peer:JoinToken", error.Message);
        }
    }
}
