using System.Diagnostics;

namespace MlAspire.Storage.Tests.Ipfs;

/// <summary>A swarm key that is malformed, or missing where one is demanded, stops the node before it joins any network.</summary>
[Collection(IpfsNodesCollection.Name)]
public sealed class SwarmKeyRefusalTests(IpfsNodesFixture nodes) : IDisposable
{
    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(60));

    private CancellationToken Token => _testTimeout.Token;

    public void Dispose() => _testTimeout.Dispose();

    [Theory]
    [InlineData("not a key\n", false)]
    [InlineData("/key/swarm/psk/1.0.0/\n/base16/\nabcd\n", false)]
    [InlineData(null, true)]
    public async Task A_node_with_a_malformed_key_or_a_missing_one_it_was_told_to_need_refuses_to_start(string? swarmKey, bool forcePrivate)
    {
        using var repo = new TemporaryRepo();
        var jsipfs = Path.Combine(nodes.Tools, "node_modules", ".bin", "jsipfs");
        Assert.Equal(0, (await RunAsync(jsipfs, ["init", "--profile", "test"], repo.Path, forcePrivate: false)).ExitCode);
        if (swarmKey is not null)
            await File.WriteAllTextAsync(Path.Combine(repo.Path, "swarm.key"), swarmKey, Token);

        var (exitCode, output) = await RunAsync(jsipfs, ["daemon", "--enable-preload=false"], repo.Path, forcePrivate);

        Assert.Equal(1, exitCode);
        Assert.Contains(Path.Combine(repo.Path, "swarm.key"), output);
        Assert.DoesNotContain("Daemon is ready", output);
    }

    [Fact]
    public async Task The_start_script_refuses_a_key_that_is_not_64_hex_characters()
    {
        using var repo = new TemporaryRepo();

        var start = new ProcessStartInfo("bash") { ArgumentList = { nodes.StartScript, repo.Path, "1", "2" } };
        start.Environment["IPFS_SWARM_KEY_HEX"] = new string('g', 64);
        var (exitCode, output) = await RunAsync(start);

        Assert.Equal(2, exitCode);
        Assert.Contains("IPFS_SWARM_KEY_HEX must be 64 hex characters", output);
        Assert.False(File.Exists(Path.Combine(repo.Path, "config")), "the repo was initialised before the key was checked");
    }

    private Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, string repo, bool forcePrivate)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["IPFS_PATH"] = repo;
        start.Environment.Remove("LIBP2P_FORCE_PNET");
        if (forcePrivate)
            start.Environment["LIBP2P_FORCE_PNET"] = "1";
        return RunAsync(start);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(Token);
        var stderr = process.StandardError.ReadToEndAsync(Token);
        try
        {
            await process.WaitForExitAsync(Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private sealed class TemporaryRepo : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("mlaspire-jsipfs-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
