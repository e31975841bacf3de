using System.Text.Json.Nodes;
using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>
/// deploy/build-images.sh cannot run here (it pulls base images and pushes to a registry), so what it asks of dotnet
/// is recorded by a stand-in, then evaluated by the real MSBuild: the images it would push are the ones the manifests run.
/// </summary>
public sealed class ImageBuildTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    private static readonly string Script = Path.Combine(Repository.Root, "deploy", "build-images.sh");

    [Fact]
    public async Task TheScriptParsesAndRefusesMissingArgumentsAndLatest()
    {
        Assert.Equal(0, (await Tool.RunAsync("bash", ["-n", Script], TimeSpan.FromSeconds(30))).ExitCode);
        var missing = await Tool.RunAsync("bash", [Script], TimeSpan.FromSeconds(30));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("usage:", missing.Output);
        Assert.Equal(2, (await Tool.RunAsync("bash", [Script, "registry.test", "latest"], TimeSpan.FromSeconds(30))).ExitCode);
    }

    [Fact]
    public async Task TheScriptBuildsEveryServiceImageOfTheManifestsForThreeArchitectures()
    {
        using var shim = new TemporaryFolder();
        var log = Path.Combine(shim.Path, "calls");
        File.WriteAllText(Path.Combine(shim.Path, "dotnet"), $"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{log}'\nprintf -- '--\\n' >> '{log}'\n");
        if (!OperatingSystem.IsWindows()) // bash and this script are Linux-only anyway
            File.SetUnixFileMode(Path.Combine(shim.Path, "dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var run = await Tool.RunAsync("bash", [Script, "registry.test:5000", "1.2.3"], TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["PATH"] = $"{shim.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        Assert.True(run.ExitCode == 0, run.Output);

        var calls = File.ReadAllText(log).Split("--\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(call => call.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var expected = fresh.Manifests.Workloads.SelectMany(workload => workload.Containers).Select(container => (string)container["image"]!)
            .Where(image => image.Contains("/mlaspire/")).Select(image => image.Split('/')[^1].Split(':')[0]).Order().ToList();
        Assert.Equal(expected.Count, calls.Count);

        var images = new List<string>();
        foreach (var call in calls)
        {
            Assert.Equal("publish", call[0]);
            Assert.Contains("-t:PublishContainer", call);
            // The real MSBuild evaluates the project with the script's properties.
            var properties = await Tool.RunAsync("dotnet",
                ["msbuild", call[1], .. call.Where(argument => argument.StartsWith("-p:", StringComparison.Ordinal)),
                 "-getProperty:ContainerRegistry", "-getProperty:ContainerRepository", "-getProperty:ContainerImageTags",
                 "-getProperty:ContainerRuntimeIdentifiers", "-getProperty:EnableSdkContainerSupport"],
                TimeSpan.FromMinutes(1));
            Assert.True(properties.ExitCode == 0, properties.Output);
            var values = JsonNode.Parse(properties.Output)!["Properties"]!;
            Assert.Equal("true", (string?)values["EnableSdkContainerSupport"]);
            Assert.Equal("linux-x64;linux-arm64;linux-arm", (string?)values["ContainerRuntimeIdentifiers"]);
            images.Add($"{values["ContainerRegistry"]}/{values["ContainerRepository"]}:{values["ContainerImageTags"]}");
        }
        Assert.Equal(expected.Select(name => $"registry.test:5000/mlaspire/{name}:1.2.3"), images.Order());
    }
}
