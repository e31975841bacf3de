namespace MlAspire.Visualization.Extensions;

/// <summary>The Visualization web app: streams transactions from peers and draws the tangle in the browser.</summary>
public static class VisualizationServiceExtensions
{
    public static IHostApplicationBuilder AddVisualizationServices(this IHostApplicationBuilder builder) => builder;

    public static WebApplication MapVisualizationEndpoints(this WebApplication app)
    {
        // Middleware rather than endpoints: "/" must be rewritten to "/index.html" before files are served.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        return app;
    }
}
