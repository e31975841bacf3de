using System.Globalization;
using System.Text.RegularExpressions;
using MlAspire.Integration.Tests;
using Microsoft.Playwright;

namespace MlAspire.Visualization.Tests.Browser;

/// <summary>The page in a real browser, against the running system: it grows live, and it explains what is clicked.</summary>
public sealed partial class LivePageTests(LiveSystem system) : IClassFixture<LiveSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Transactions_tips_and_accuracy_arrive_without_reload()
    {
        var page = await OpenAsync();
        // Set once: a reload would clear it.
        await page.EvaluateAsync("window.loadedOnce = 'yes'");

        var first = await WaitForAsync(page, () => Transactions(page), n => n > 0, "transactions on the page");
        await WaitForAsync(page, () => Transactions(page), n => n >= first + 5, $"more than {first + 4} transactions (first saw {first})");

        // The tip count is the shown peer's own, from its status: it matches what that peer reports over gRPC. (It may
        // stay at 1 for minutes, two peers often approve the one newest tip, so "it changed" would be a coin toss.)
        var shownPeerId = await page.Locator("#peer-select").InputValueAsync();
        var ids = await Task.WhenAll(system.Cluster.Peers.Select(async p => (await p.StatusAsync()).PeerId));
        var shownPeer = system.Cluster.Peers[Array.IndexOf(ids, shownPeerId)];
        await WaitForAsync(page, async () =>
        {
            var shown = int.TryParse(await page.Locator("#stat-tips").GetAttributeAsync("data-value"), CultureInfo.InvariantCulture, out var tips) ? tips : -1;
            return shown > 0 && shown == (await shownPeer.StatusAsync()).Tips ? 1 : 0;
        }, n => n == 1, "the tip count to be the shown peer's own");

        // Status events keep arriving without a reload: the chart grows with every sample.
        var samples = await WaitForAsync(page, () => ChartSamples(page), n => n > 0, "accuracy samples in the chart");
        await WaitForAsync(page, () => ChartSamples(page), n => n >= samples + 3, $"the chart to grow past {samples + 2} samples");
        await WaitForAsync(page, async () => (await page.InnerTextAsync("#stat-accuracy")).Contains('%') ? 1 : 0, n => n == 1, "the reference accuracy");

        Assert.Equal("yes", await page.EvaluateAsync<string>("window.loadedOnce"));
        Assert.Equal(system.Url + "/", new Uri(page.Url).GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public async Task Selecting_a_peer_and_clicking_a_transaction_shows_its_details()
    {
        var page = await OpenAsync();
        var peer = system.Cluster.Peers[1];
        var peerId = (await peer.StatusAsync()).PeerId;
        await WaitForAsync(page, async () => await page.Locator($"#peer-select option[value='{peerId}']").CountAsync(), n => n == 1, "the second peer in the selector");
        await page.SelectOptionAsync("#peer-select", peerId);
        await WaitForAsync(page, async () => page.Url.Contains(peerId) ? await Transactions(page) : 0, n => n > 3, "the chosen peer's tangle");

        // A transaction the peer really holds, read from it over gRPC, not from the page.
        await page.ClickAsync("#follow");
        var transactions = await peer.TransactionsAsync();
        var chosen = transactions.Last(t => t.Parents.Count > 0);
        await WaitForAsync(page, async () => await page.EvaluateAsync<bool>("cid => window.mlaspire.model.get(cid) != null", chosen.Cid) ? 1 : 0, n => n == 1, $"{chosen.Cid} on the page");
        await page.ClickAsync("#show-all");
        var point = await page.EvaluateAsync<System.Text.Json.JsonElement>("cid => window.mlaspire.positionOf(cid)", chosen.Cid);
        await page.Mouse.ClickAsync(point.GetProperty("x").GetSingle(), point.GetProperty("y").GetSingle());

        await WaitForAsync(page, async () => await page.Locator("#details").GetAttributeAsync("data-cid") == chosen.Cid ? 1 : 0, n => n == 1, $"details of {chosen.Cid}");
        Assert.Equal(chosen.Cid, await page.InnerTextAsync("#detail-cid"));
        Assert.Contains(chosen.Publisher, await page.InnerTextAsync("#detail-publisher"));
        Assert.Equal(chosen.Parents.Count, await page.Locator("#detail-parents [data-cid-link]").CountAsync());
        foreach (var parent in chosen.Parents)
            Assert.Equal(1, await page.Locator($"#detail-parents [data-cid-link='{parent}']").CountAsync());
        Assert.Equal($"{chosen.LocalAccuracy * 100:F1} %", await page.InnerTextAsync("#detail-accuracy"));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(chosen.CreatedAtMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            await page.InnerTextAsync("#detail-created"));

        // Keyboard: from the selection, the left arrow selects the transaction before it.
        await page.FocusAsync("#tangle");
        await page.Keyboard.PressAsync("ArrowLeft");
        await WaitForAsync(page, async () => await page.Locator("#details").GetAttributeAsync("data-cid") != chosen.Cid ? 1 : 0, n => n == 1, "the keyboard to move the selection");

        await SaveScreenshotIfAskedAsync(page);
    }

    [Fact]
    public async Task The_page_holds_exactly_the_chosen_peers_replica_without_gaps()
    {
        var peer = system.Cluster.Peers[0];
        var peerId = (await peer.StatusAsync()).PeerId;
        var page = await OpenAsync($"?peer={peerId}");
        await WaitForAsync(page, () => Transactions(page), n => n > 10, "the tangle on the page");

        // Everything the replica held a moment ago reaches the page (catch-up and live stream leave no gap) ...
        var held = (await peer.TransactionsAsync()).Select(t => t.Cid).ToHashSet();
        string[] shown = [];
        await WaitForAsync(page, async () =>
        {
            shown = await page.EvaluateAsync<string[]>("() => window.mlaspire.model.nodes.map(n => n.cid)");
            return held.Count(shown.Contains);
        }, n => n == held.Count, $"all {held.Count} transactions of the replica on the page");
        // ... and the page shows nothing the replica does not hold, each transaction once.
        var heldNow = (await peer.TransactionsAsync()).Select(t => t.Cid).ToHashSet();
        Assert.DoesNotContain(shown, cid => !heldNow.Contains(cid));
        Assert.Equal(shown.Length, shown.Distinct().Count());
    }

    [Fact]
    public async Task Connected_browsers_are_counted_on_metrics()
    {
        var page = await OpenAsync();
        await WaitForAsync(page, () => Transactions(page), n => n > 0, "the page to be live");
        using var http = new HttpClient();
        var connected = 0.0;
        await WaitForAsync(page, async () =>
        {
            var match = BrowsersConnected().Match(await http.GetStringAsync($"{system.Url}/metrics"));
            connected = match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            return connected >= 1 ? 1 : 0;
        }, n => n == 1, "mlaspire_visualization_browsers_connected >= 1 on /metrics");
        await page.CloseAsync();
        await Eventually.TrueAsync(async () =>
        {
            var match = BrowsersConnected().Match(await http.GetStringAsync($"{system.Url}/metrics"));
            return match.Success && double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) < connected;
        }, TimeSpan.FromSeconds(30), () => "the closed page was not uncounted");
    }

    private async Task<IPage> OpenAsync(string query = "")
    {
        var page = await system.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(system.Url + "/" + query);
        Assert.Empty(errors);
        return page;
    }

    private static async Task<int> Transactions(IPage page) =>
        int.TryParse(await page.Locator("#stat-transactions").GetAttributeAsync("data-value"), CultureInfo.InvariantCulture, out var count) ? count : 0;

    private static async Task<int> ChartSamples(IPage page) => int.Parse(await page.Locator("#accuracy-figure").GetAttributeAsync("data-samples") ?? "0", CultureInfo.InvariantCulture);

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> holds (no reloads in between); returns the last value.</summary>
    private async Task<int> WaitForAsync(IPage page, Func<Task<int>> read, Func<int, bool> done, string what)
    {
        var value = 0;
        await Eventually.TrueAsync(async () => done(value = await read()), Patience,
            () => $"Waiting for {what}; last value {value}. Page: {page.Url}\n{system.Logs()}");
        return value;
    }

    /// <summary>MLASPIRE_SCREENSHOT=docs/visualization.png writes the page, as it is now, for the docs.</summary>
    private async Task SaveScreenshotIfAskedAsync(IPage page)
    {
        if (Environment.GetEnvironmentVariable("MLASPIRE_SCREENSHOT") is not { Length: > 0 } path) return;
        await Eventually.TrueAsync(async () => await Transactions(page) >= 150, TimeSpan.FromMinutes(2), () => "the tangle did not grow to 150 for the screenshot");
        // Following the newest, zoomed out a little, with a recent transaction selected so that both its cones show
        // (and the pointer out of the way, since hovering takes precedence over the selection).
        await page.Mouse.MoveAsync(1, 1);
        await page.EvaluateAsync("() => { const m = window.mlaspire; m.view.setTransform(d3.zoomIdentity.scale(0.7)); m.view.setFollow(true); m.view.select(m.model.at(m.model.newest.index - 12)); }");
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Repository.Root, path) });
    }

    [GeneratedRegex(@"^mlaspire_visualization_browsers_connected(?:\{[^}]*\})? ([0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex BrowsersConnected();
}
