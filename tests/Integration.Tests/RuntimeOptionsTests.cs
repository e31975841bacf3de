using System.Text.Json;

namespace MlAspire.Integration.Tests;

/// <summary>
/// The runtime options the soak measured (Directory.Build.props, docs/benchmarks.md) reach every service as built: fifty
/// of them share two cores, and the runtime's defaults assume one server per machine. A project that stops importing
/// them, or an option renamed, fails here instead of in the next soak.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class RuntimeOptionsTests
{
    public static TheoryData<string> Services => ["Peer", "Bootstrap", "Visualization"];

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_runs_with_the_options_measured_for_many_services_on_two_cores(string service)
    {
        var path = Path.Combine(Repository.Root, service, "bin", Repository.Configuration, "net10.0", $"{service}.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var options = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(options.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(options.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(5, options.GetProperty("System.GC.ConserveMemory").GetInt32());
        Assert.Equal(0, options.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
        Assert.False(options.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }
}
