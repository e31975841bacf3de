using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MlAspire.Integration.Tests;

namespace MlAspire.Monitoring.Tests;

/// <summary>
/// Debian's Prometheus (installed by tests/run.sh) on a free loopback port, with its own temporary TSDB, queried
/// through its HTTP API.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _storage;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string storage, int port)
    {
        _process = process;
        _storage = storage;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static void RequireInstalled()
    {
        if (!File.Exists(Executable) || !File.Exists(Promtool))
            Assert.Fail($"{Executable} or {Promtool} is missing: install Debian's prometheus (tests/run.sh does: apt-get install -y --no-install-recommends prometheus).");
    }

    public static async Task<PrometheusServer> StartAsync(string configFile)
    {
        RequireInstalled();
        var storage = Directory.CreateTempSubdirectory("mlaspire-prometheus-").FullName;
        var port = ServiceProcess.FreePort();
        var start = new ProcessStartInfo(Executable)
        {
            ArgumentList =
            {
                $"--config.file={configFile}",
                $"--storage.tsdb.path={storage}",
                $"--web.listen-address=127.0.0.1:{port}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start prometheus.");
        var server = new PrometheusServer(process, storage, port);
        process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () => (await server._http.GetAsync("-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(30), () => server.Output);
        return server;
    }

    /// <summary>An instant query; each result is its labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync($"api/v1/query?query={Uri.EscapeDataString(promql)}");
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        if (json.RootElement.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"Query {promql} failed: {body}");
        return [.. json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(series => (
            (IReadOnlyDictionary<string, string>)series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))];
    }

    /// <summary>Every metric name Prometheus holds, including the series it makes itself (up, scrape_duration_seconds, ...).</summary>
    public async Task<IReadOnlySet<string>> MetricNamesAsync()
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync("api/v1/label/__name__/values"));
        return json.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The active targets as the /api/v1/targets page lists them: job, discovered labels, health and last error.</summary>
    public async Task<string> TargetsAsync() => await _http.GetStringAsync("api/v1/targets?state=active");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_storage, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp cleanup.
        }
    }

    private void Collect(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}
