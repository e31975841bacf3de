using MlAspire.Visualization.Tests.Browser;

namespace MlAspire.Visualization.Bench;

/// <summary>The docs' screenshot: a running Visualization, once the chosen peer's tangle has 150 transactions, with a recent one selected.</summary>
public static class Screenshot
{
    public static async Task TakeAsync(string url, string file)
    {
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1500, Height = 900 } });
            await page.GotoAsync(url);
            await page.WaitForFunctionAsync("() => window.mlaspire?.model.size >= 150", null, new() { Timeout = 300_000 });
            await page.EvaluateAsync("() => { const m = window.mlaspire; m.view.setFollow(true); m.view.select(m.model.at(m.model.newest.index - 12)); }");
            await page.WaitForTimeoutAsync(500);
            await page.ScreenshotAsync(new() { Path = file });
            Console.WriteLine($"{file}: {url} with {await page.EvaluateAsync<int>("() => window.mlaspire.model.size")} transactions");
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
