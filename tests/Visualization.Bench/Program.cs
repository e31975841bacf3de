using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlAspire.Integration.Tests;
using MlAspire.Visualization.Bench;
using MlAspire.Visualization.Model;
using MlAspire.Visualization.Tests.Browser;

// Renders N synthetic transactions (default 10,000) in the real page and prints how long it takes and how much
// memory the browser uses. The snapshot is the server's own wire format, handed to the page's snapshot handler (the
// one its EventSource calls), so the figures cover parsing, the page model, layout and drawing, not the network.
// `screenshot URL FILE`: a picture of a running Visualization (e.g. the AppHost's) once its tangle has grown.
if (args is ["screenshot", var pageUrl, var file])
{
    await Screenshot.TakeAsync(pageUrl, file);
    return;
}

// Arguments: [transaction count] [screenshot path].
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
const int peers = 8;

var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
await using var visualization = ServiceProcess.Start("visualization", "Visualization", new Dictionary<string, string>
{
    ["Kestrel__Endpoints__http__Url"] = url,
    // Nothing listens there: the page is fed by the bench, not by peers.
    ["Visualization__BootstrapAddress"] = "http://127.0.0.1:9",
    ["Logging__LogLevel__Default"] = "Warning",
});
var (playwright, browser) = await Chromium.LaunchAsync("--enable-precise-memory-info");
try
{
    var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 900 } });
    var cdp = await page.Context.NewCDPSessionAsync(page);
    await cdp.SendAsync("Performance.enable");
    await Retry(() => page.GotoAsync($"{url}/?offline"));
    await page.WaitForFunctionAsync("() => window.mlaspire != null");
    var before = await MemoryAsync(cdp);

    var json = JsonSerializer.Serialize(SyntheticTangle.Snapshot(count, peers), TangleModel.Json);
    var render = await page.EvaluateAsync<JsonElement>("""
        async text => {
          const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
          const t0 = performance.now();
          const snapshot = JSON.parse(text);
          const t1 = performance.now();
          window.mlaspire.applySnapshot(snapshot);
          await frame(); await frame();
          const t2 = performance.now();
          return { parse: t1 - t0, total: t2 - t0, size: window.mlaspire.model.size };
        }
        """, json);

    // Frame cost in three views: following the newest, everything at once, and everything with a hovered transaction's cones.
    var frames = await page.EvaluateAsync<JsonElement>("""
        () => {
          const { view, model } = window.mlaspire;
          const time = () => { const runs = []; for (let i = 0; i < 20; i++) { view.draw(); runs.push(view.lastDrawMs); } runs.sort((a, b) => a - b); return runs[10]; };
          const follow = time();
          view.showAll();
          const all = time();
          view.hovered = model.at(model.newest.index - Math.floor(model.size / 2));
          const cones = time();
          view.hovered = null;
          view.setTransform(d3.zoomIdentity);
          view.setFollow(true);
          const t0 = performance.now();
          for (let i = 0; i < 200; i++) {
            const n = model.newest;
            model.addAll([{ sequence: n.sequence + 1, cid: 'live-' + i, parents: [n.cid, model.at(n.index - 3).cid], publisher: n.publisher, localLoss: 0.1, localAccuracy: 0.9, createdAtMs: n.createdAtMs + 300 }]);
            view.changed(); view.draw();
          }
          const append = (performance.now() - t0) / 200;
          return { follow, all, cones, append };
        }
        """);
    var after = await MemoryAsync(cdp);
    if (args.Length > 1)
    {
        // Optional: how the whole synthetic tangle looks, for a person to check the overview.
        await page.EvaluateAsync("() => window.mlaspire.view.showAll()");
        await page.WaitForTimeoutAsync(200);
        await page.ScreenshotAsync(new() { Path = args[1] });
    }

    Console.WriteLine($"Visualization page, {render.GetProperty("size").GetInt32():N0} transactions from {peers} publishers, Chromium {browser.Version}, viewport 1500x900");
    Console.WriteLine($"  snapshot JSON                     {json.Length / 1024.0 / 1024.0:F1} MB");
    Console.WriteLine($"  parse + model + layout + 1st frame {Ms(render, "total")} (of which JSON.parse {Ms(render, "parse")})");
    Console.WriteLine($"  frame, following the newest        {Ms(frames, "follow")} (median of 20)");
    Console.WriteLine($"  frame, whole tangle in view        {Ms(frames, "all")}");
    Console.WriteLine($"  frame, whole tangle + hover cones  {Ms(frames, "cones")}");
    Console.WriteLine($"  one live transaction (add + frame) {Ms(frames, "append")} (mean of 200)");
    Console.WriteLine($"  JS heap used                       {before.Heap:F1} MB before, {after.Heap:F1} MB after");
    Console.WriteLine($"  browser processes' PSS (sum)       {before.Pss:F0} MB before, {after.Pss:F0} MB after");
}
finally
{
    await browser.DisposeAsync();
    playwright.Dispose();
}

static string Ms(JsonElement figures, string name) => $"{figures.GetProperty(name).GetDouble():F1} ms";

static async Task<(double Heap, double Pss)> MemoryAsync(Microsoft.Playwright.ICDPSession cdp)
{
    var metrics = await cdp.SendAsync("Performance.getMetrics");
    var heap = metrics!.Value.GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("name").GetString() == "JSHeapUsedSize").GetProperty("value").GetDouble();
    return (heap / 1024 / 1024, ChromiumPssMegabytes());
}

// Proportional set size (shared pages split among their users, so not counted once per process) of every Chromium
// process descending from this one: Playwright's driver starts the browser, the browser its helpers.
static double ChromiumPssMegabytes()
{
    var parents = new Dictionary<int, int>();
    var names = new Dictionary<int, string>();
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var close = stat.LastIndexOf(')');
            names[pid] = stat[(stat.IndexOf('(') + 1)..close];
            parents[pid] = int.Parse(stat[(close + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
    }
    bool Descends(int pid) { for (var p = pid; p > 1 && parents.TryGetValue(p, out var up); p = up) if (up == Environment.ProcessId) return true; return false; }
    long kb = 0;
    foreach (var (pid, name) in names)
    {
        if (!name.StartsWith("chrom", StringComparison.Ordinal) || !Descends(pid)) continue;
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            if (line is not null) kb += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
    }
    return kb / 1024.0;
}

static async Task Retry(Func<Task> action)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        try { await action(); return; }
        catch (Microsoft.Playwright.PlaywrightException) when (clock.Elapsed < TimeSpan.FromSeconds(30)) { await Task.Delay(250); }
    }
}
