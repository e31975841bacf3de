using Microsoft.Playwright;

namespace MlAspire.Visualization.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright: never a downloaded browser (tests/run.sh installs the Debian package).
/// Flags from shared notes/browser.md: headless, no sandbox (root in CI), no GPU, nothing phoning home.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(params string[] extraArgs)
    {
        if (!File.Exists(ExecutablePath))
            throw new FileNotFoundException($"{ExecutablePath} is missing: install Debian's chromium (tests/run.sh does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", .. extraArgs],
        });
        return (playwright, browser);
    }
}
