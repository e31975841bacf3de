using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost.Tests;

/// <summary>
/// The whole system started once from the AppHost for a test class (each start and stop costs seconds): bootstrap,
/// four peers on the embedded store, visualization. Fast settings: logistic regression trained every 500 ms.
/// Its state (genesis, repos) goes to a temporary folder deleted afterwards.
/// </summary>
public sealed class RunningSystem : IAsyncLifetime
{
    public const int PeerCount = 4;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _state = Directory.CreateTempSubdirectory("mlaspire-apphost-tests-").FullName;
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The system is not started.");

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
            ],
            timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        await _app.ResourceNotifications.WaitForResourceHealthyAsync("bootstrap", timeout.Token);
        await Task.WhenAll(PeerNames.Select(peer => _app.ResourceNotifications.WaitForResourceHealthyAsync(peer, timeout.Token)));
    }

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
