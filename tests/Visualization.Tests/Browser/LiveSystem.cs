using MlAspire.Integration.Tests;
using Microsoft.Playwright;

namespace MlAspire.Visualization.Tests.Browser;

/// <summary>
/// The running system the browser tests look at: a real Bootstrap, two real peers (embedded storage, training every
/// 300 ms) and the real Visualization program, all processes on loopback, plus Debian's Chromium. Shared by the tests
/// of a class, so that it starts once.
/// </summary>
public sealed class LiveSystem : IAsyncLifetime
{
    public LocalCluster Cluster { get; } = new();

    public ServiceProcess? Visualization { get; private set; }

    public string Url { get; } = $"http://127.0.0.1:{ServiceProcess.FreePort()}";

    public IBrowser Browser { get; private set; } = null!;

    private IPlaywright? _playwright;

    public async Task InitializeAsync()
    {
        Cluster.StartBootstrap();
        Cluster.StartPeer("peer-a");
        Cluster.StartPeer("peer-b");
        Visualization = ServiceProcess.Start("visualization", "Visualization", new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__http__Url"] = Url,
            ["Visualization__BootstrapAddress"] = Cluster.BootstrapAddress,
            ["Visualization__JoinToken"] = LocalCluster.JoinToken,
            ["Visualization__StatusInterval"] = "00:00:00.500",
        });
        (_playwright, Browser) = await Chromium.LaunchAsync();
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () => (await http.GetAsync($"{Url}/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), Logs);
        // Tests ask the peers for their status first thing; a peer answers only once it has joined (CI once ran a test
        // before then and got "This peer has not joined a tangle yet").
        await Eventually.TrueAsync(async () =>
        {
            foreach (var peer in Cluster.Peers)
                await peer.StatusAsync();
            return true;
        }, TimeSpan.FromSeconds(60), Logs);
    }

    public string Logs() => Cluster.Logs() + $"\n\n--- visualization ---\n{Visualization?.Output}";

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Visualization is not null) await Visualization.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
