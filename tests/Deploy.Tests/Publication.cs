using System.Diagnostics;
using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>Runs the AppHost's real publish-k3s step (the built AppHost, as `dotnet run --project AppHost` would) into a fresh folder.</summary>
public static class Publication
{
    public static string CheckedIn => Path.Combine(Repository.Root, "deploy", "k3s");

    /// <returns>The output folder (deleted by the caller's <see cref="TemporaryFolder"/>) with the step's log.</returns>
    public static async Task<(string Folder, string Log)> PublishAsync(TemporaryFolder folder, params string[] settings)
    {
        var appHost = Path.Combine(Repository.Root, "AppHost", "bin", Repository.Configuration, "net10.0", "AppHost.dll");
        var result = await Tool.RunAsync("dotnet",
            [appHost, "--operation", "publish", "--step", "publish-k3s", "--output-path", folder.Path, .. settings],
            TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"publish-k3s exited {result.ExitCode}:\n{result.Output}");
        return (folder.Path, result.Output);
    }
}

/// <summary>A folder under the temp folder, removed when disposed.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mlaspire-deploy-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs a command line tool (kubectl, node, promtool, bash, dotnet) and captures its exit code and output.</summary>
public static class Tool
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:F0} s.");
        }
        return new Result(process.ExitCode, (await stdout) + (await stderr));
    }
}

/// <summary>One fresh publication with the default settings, shared by the tests of a class.</summary>
public sealed class FreshPublication : IAsyncLifetime
{
    private readonly TemporaryFolder _folder = new();

    public string Folder => _folder.Path;

    public Manifests Manifests { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Publication.PublishAsync(_folder);
        Manifests = Manifests.Load(Folder);
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
