using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost.Tests;

/// <summary>
/// The whole system started once from the AppHost for a test class (each start and stop costs seconds): bootstrap,
/// four peers on the embedded store, visualization. Fast settings: logistic regression trained every 500 ms.
/// Its state (genesis, peers' keys, stores and replicas) goes to a temporary folder deleted afterwards.
/// </summary>
public sealed class RunningSystem : IAsyncLifetime
{
    public const int PeerCount = 4;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly string _state = Directory.CreateTempSubdirectory("mlaspire-apphost-tests-").FullName;
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The system is not started.");

    /// <summary>The Peer project's folder, beside the AppHost's.</summary>
    public static string PeerFolder { get; } = PeerFolderAbove(Projects.AppHost.ProjectPath);

    private static string PeerFolderAbove(string path)
    {
        for (var folder = new DirectoryInfo(path); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Peer", "Peer.csproj")))
                return Path.Combine(folder.FullName, "Peer");
        throw new DirectoryNotFoundException($"No Peer project above {path}.");
    }

    /// <summary>
    /// Whether the peers run their native program: when it is current as this system starts (tests/run.sh publishes it
    /// before the tests), so that this start never waits for a publish.
    /// </summary>
    public static bool NativePeers { get; } = NativeProgram.WhyNotCurrent(PeerFolder) is null; // after PeerFolder: statics start in order

    public static IEnumerable<string> PeerNames => Enumerable.Range(1, PeerCount).Select(i => $"peer-{i}");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--ipfs", "embedded",
                "--peers", PeerCount.ToString(),
                "--model", "logreg",
                "--training-interval", "00:00:00.500",
                "--state", _state,
                "--native-peers", NativePeers ? "true" : "false",
            ],
            timeout.Token);
        // The resources' own logs are forwarded to this logger: keep their warnings and errors, and the AppHost's IPFS choice.
        builder.Services.AddLogging(logging => logging
            .AddFilter("AppHost.Resources", LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        try
        {
            await Task.WhenAll(PeerNames.Prepend("bootstrap").Select(name => _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"Not healthy within {StartTimeout.TotalSeconds} s: {DescribeResources()}", e);
        }
    }

    /// <summary>Each resource's state and health, as the dashboard shows them.</summary>
    public string DescribeResources() => string.Join("; ", App.Services.GetRequiredService<DistributedApplicationModel>().Resources
        .Select(resource => App.ResourceNotifications.TryGetCurrentState(resource.Name, out var current)
            ? $"{resource.Name} {current.Snapshot.State?.Text} {current.Snapshot.HealthStatus}"
            : $"{resource.Name} (no state)"));

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not quite exited may still hold a file; the folder is under the temp folder anyway.
        }
    }
}
