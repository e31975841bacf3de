using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace MlAspire.Peer.Tests.Telemetry;

/// <summary>
/// A web app on a free loopback port, without the configuration files copied next to the tests (the Peer's
/// appsettings.json names its ports) or the environment's (an OTLP endpoint).
/// </summary>
internal static class LoopbackApp
{
    public static WebApplicationBuilder Builder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    /// <summary>Where a started app listens.</summary>
    public static Uri Address(WebApplication app) => new(app.Urls.Single().TrimEnd('/') + "/");
}
