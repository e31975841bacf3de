using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>
/// AppHost/ipfs/container-init.d/001-mlaspire.sh, the Kubo container's configuration, run by a POSIX sh against a
/// stand-in `ipfs` that records its arguments (Kubo cannot run here): the swarm key file it writes, the private-network
/// and loopback settings it makes, and its refusal of a bad key before it configures anything.
/// </summary>
public sealed class KuboInitScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(Repository.Root, "AppHost", "ipfs", "container-init.d", "001-mlaspire.sh");

    private readonly TemporaryFolder _folder = new();

    private string Repo => Path.Combine(_folder.Path, "repo");

    private string Calls => Path.Combine(_folder.Path, "ipfs-calls");

    public KuboInitScriptTests()
    {
        Directory.CreateDirectory(Repo);
        var bin = Directory.CreateDirectory(Path.Combine(_folder.Path, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "ipfs"), $"#!/bin/sh\necho \"$*\" >> '{Calls}'\n");
        if (!OperatingSystem.IsWindows()) // sh and the Kubo image are Linux-only anyway
            File.SetUnixFileMode(Path.Combine(bin, "ipfs"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task It_writes_the_swarm_key_in_kubos_format_readable_by_its_owner_only()
    {
        var key = "0123456789ABCDEF" + new string('a', 48);

        var result = await RunAsync(key);

        Assert.True(result.ExitCode == 0, result.Output);
        var file = Path.Combine(Repo, "swarm.key");
        Assert.Equal($"/key/swarm/psk/1.0.0/\n/base16/\n{key.ToLowerInvariant()}\n", File.ReadAllText(file));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    /// <summary>The image's entrypoint leaves a read-only key (0400) of its own on a first start: a changed secret must still win.</summary>
    [Fact]
    public async Task It_replaces_a_read_only_key_left_by_the_entrypoint()
    {
        var file = Path.Combine(Repo, "swarm.key");
        File.WriteAllText(file, "old");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, UnixFileMode.UserRead);
        var key = new string('b', 64);

        var result = await RunAsync(key);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.EndsWith($"\n{key}\n", File.ReadAllText(file));
    }

    [Fact]
    public async Task It_cuts_the_node_off_the_public_network_and_keeps_the_api_on_loopback()
    {
        var result = await RunAsync(new string('c', 64));

        Assert.True(result.ExitCode == 0, result.Output);
        var calls = File.ReadAllLines(Calls);
        foreach (var expected in new[]
        {
            "bootstrap rm --all",
            "config --json AutoConf.Enabled false",
            "config --json AutoTLS.Enabled false",
            "config Routing.Type none",
            "config --json Routing.DelegatedRouters []",
            "config --json Ipns.DelegatedPublishers []",
            "config --json DNS.Resolvers {}",
            "config --json Discovery.MDNS.Enabled false",
            "config --json Provide.Enabled false",
            "config Addresses.API /ip4/127.0.0.1/tcp/5001",
            "config --json Addresses.Gateway []",
            "config --json Pubsub.Enabled true",
        })
            Assert.Contains(expected, calls);
        Assert.DoesNotContain(calls, call => call.StartsWith("config --json Addresses.Swarm", StringComparison.Ordinal) && (call.Contains("/udp/") || call.Contains("quic")));
    }

    [Fact]
    public async Task The_api_address_can_be_overridden_for_a_container_published_on_the_hosts_loopback()
    {
        var result = await RunAsync(new string('d', 64), ("IPFS_API_ADDRESS", "/ip4/0.0.0.0/tcp/5001"));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("config Addresses.API /ip4/0.0.0.0/tcp/5001", File.ReadAllLines(Calls));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_missing_or_malformed_key_stops_the_container_before_anything_is_configured(string key)
    {
        var result = await RunAsync(key);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("IPFS_SWARM_KEY_HEX must be 64 hex characters", result.Output);
        Assert.False(File.Exists(Path.Combine(Repo, "swarm.key")));
        Assert.False(File.Exists(Calls), "ipfs was configured although the key was refused");
    }

    private Task<Tool.Result> RunAsync(string key, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{Path.Combine(_folder.Path, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
            ["IPFS_PATH"] = Repo,
            ["IPFS_SWARM_KEY_HEX"] = key,
        };
        foreach (var (name, value) in extra)
            environment[name] = value;
        // sh, not bash: the image's entrypoint is a POSIX (busybox) shell.
        return Tool.RunAsync("sh", [Script], TimeSpan.FromSeconds(30), environment: environment);
    }
}
