using System.Net;
using System.Text.Json;

namespace MlAspire.Bootstrap.Tests;

public sealed class DiscoveryTests
{
    [Fact]
    public async Task Sd_peers_lists_every_peer_with_a_metrics_address_in_prometheus_http_sd_form()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?> { ["Bootstrap:JoinToken"] = "secret" }).Start();
        var client = host.CreateGrpcClient("secret");
        // Ordered by id, as the bootstrap lists them.
        var peers = TestMember.Several(2);
        var (p1, p2) = (peers[0], peers[1]);
        using var unscraped = new TestMember();
        using var observer = new TestMember();
        await client.JoinAsync(p1.Join(metricsAddress: "10.0.0.1:8080"));
        await client.JoinAsync(p2.Join(metricsAddress: "[fd00::2]:8080"));
        await client.JoinAsync(unscraped.Join());
        await client.JoinAsync(observer.Join(metricsAddress: "10.0.0.9:8080", observer: true));
        using var http = host.CreateHttpClient();

        using var response = await http.GetAsync(new Uri("/sd/peers", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            $$$"""[{"targets":["10.0.0.1:8080"],"labels":{"peer_id":"{{{p1.Id}}}"}},{"targets":["[fd00::2]:8080"],"labels":{"peer_id":"{{{p2.Id}}}"}}]""",
            JsonSerializer.Serialize(json.RootElement));
    }

    [Fact]
    public async Task Sd_peers_is_an_empty_list_without_peers()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        using var http = host.CreateHttpClient();

        Assert.Equal("[]", await http.GetStringAsync(new Uri("/sd/peers", UriKind.Relative)));
    }

    [Fact]
    public async Task Membership_metrics_are_exported_for_prometheus()
    {
        using var data = new TempDirectory();
        await using var host = new BootstrapHost(data.Path).Start();
        var client = host.CreateGrpcClient();
        using var p1 = new TestMember();
        using var p2 = new TestMember();
        await client.JoinAsync(p1.Join());
        await client.JoinAsync(p2.Join());
        await client.LeaveAsync(p2.Leave());
        using var http = host.CreateHttpClient();

        var exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("mlaspire_bootstrap_peers_joined_total", exposition, StringComparison.Ordinal);
        Assert.Contains("mlaspire_bootstrap_peers_left_total", exposition, StringComparison.Ordinal);
        Assert.Contains("mlaspire_bootstrap_peers_active", exposition, StringComparison.Ordinal);
    }
}
