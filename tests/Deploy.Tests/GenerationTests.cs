using System.Text.Json.Nodes;

namespace MlAspire.Deploy.Tests;

/// <summary>deploy/k3s is what the AppHost's model publishes, and follows the model when it changes.</summary>
public sealed class GenerationTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    [Fact]
    public void CheckedInManifestsEqualAFreshGeneration()
    {
        var checkedIn = Files(Publication.CheckedIn);
        var generated = Files(fresh.Folder);
        Assert.Equal(generated.Keys.Order(), checkedIn.Keys.Order());
        foreach (var (name, bytes) in generated)
            Assert.True(bytes.SequenceEqual(checkedIn[name]),
                $"deploy/k3s/{name} differs from a fresh generation: run `dotnet run --project AppHost -- --operation publish --step publish-k3s` and commit the result.");
    }

    [Fact]
    public async Task SameModelGivesSameBytes()
    {
        using var again = new TemporaryFolder();
        await Publication.PublishAsync(again);
        foreach (var (name, bytes) in Files(fresh.Folder))
            Assert.True(bytes.SequenceEqual(File.ReadAllBytes(Path.Combine(again.Path, name))), $"{name} differs between two generations");
    }

    [Fact]
    public async Task PeerCountAndImageSettingsFlowIntoTheManifests()
    {
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--peers", "7", "--K3s:Registry", "registry.test:5000", "--K3s:Tag", "9.8.7");
        var manifests = Manifests.Load(folder.Path);

        var peers = manifests.Single("StatefulSet", "peer");
        Assert.Equal("7", (string)peers.Tree["spec"]!["replicas"]!);
        // The visualization references each peer of the model: seven of them now, by their pods' stable names.
        var visualization = manifests.Single("Deployment", "visualization").Containers.First();
        Assert.Equal(
            Enumerable.Range(0, 7).Select(i => $"https://peer-{i}.peer.mlaspire.svc.cluster.local:5201"),
            Manifests.EnvVars(visualization).Where(env => ((string)env["name"]!).EndsWith("__grpc__0") && ((string)env["name"]!).StartsWith("services__peer-"))
                .Select(env => (string)env["value"]!));
        Assert.All(manifests.Workloads.SelectMany(workload => workload.Containers).Select(container => (string)container["image"]!)
                .Where(image => image.Contains("/mlaspire/")),
            image => Assert.Matches(@"^registry\.test:5000/mlaspire/[a-z]+:9\.8\.7$", image));
    }

    [Fact]
    public async Task APeerDataClaimGivesEachPeerPodItsOwnFolderOfItReadOnly()
    {
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--K3s:PeerDataClaim", "peer-datasets");
        var peers = Manifests.Load(folder.Path).Single("StatefulSet", "peer");

        var volume = peers.Tree["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Select(v => v!.AsObject()).Single(v => (string?)v["name"] == "own-data");
        Assert.Equal("peer-datasets", (string?)volume["persistentVolumeClaim"]!["claimName"]);
        Assert.Equal("true", (string?)volume["persistentVolumeClaim"]!["readOnly"]); // YAML scalars read back as text
        var peer = peers.Containers.First();
        Assert.Equal("/data/own", Manifests.Env(peer, "Peer__LocalData"));
        var podName = Manifests.EnvVars(peer).Single(env => (string?)env["name"] == "POD_NAME");
        Assert.Equal("metadata.name", (string?)podName["valueFrom"]!["fieldRef"]!["fieldPath"]); // what subPathExpr expands
        var mount = peer["volumeMounts"]!.AsArray().Select(m => m!.AsObject()).Single(m => (string?)m["name"] == "own-data");
        Assert.Equal(("/data/own", "$(POD_NAME)", "true"), ((string?)mount["mountPath"], (string?)mount["subPathExpr"], (string?)mount["readOnly"]));

        // Without the setting, peers train on their Bootstrap data slots and mount nothing of the kind.
        var slotPeer = Manifests.Load(fresh.Folder).Single("StatefulSet", "peer").Containers.First();
        Assert.Null(Manifests.Env(slotPeer, "Peer__LocalData"));
    }

    [Fact]
    public async Task AChangedPortInTheModelChangesContainerPortsProbesServicesAndReferences()
    {
        using var folder = new TemporaryFolder();
        await ModelPublication.PublishWithPeerGrpcPortAsync(folder.Path, 6301);
        var manifests = Manifests.Load(folder.Path);

        var peer = manifests.Single("StatefulSet", "peer").Containers.First();
        Assert.Contains(("grpc", 6301), Manifests.Ports(peer));
        Assert.Equal("https://*:6301", Manifests.Env(peer, "Kestrel__Endpoints__grpc__Url"));
        Assert.Equal("https://$(POD_NAME).peer.mlaspire.svc.cluster.local:6301", Manifests.Env(peer, "Peer__AdvertisedGrpcAddress"));
        var service = manifests.Single("Service", "peer").Tree["spec"]!["ports"]!.AsArray().Select(port => port!.AsObject());
        Assert.Contains(service, port => (string?)port["name"] == "grpc" && (string?)port["port"] == "6301");
        var visualization = manifests.Single("Deployment", "visualization").Containers.First();
        Assert.Equal("https://peer-0.peer.mlaspire.svc.cluster.local:6301", Manifests.Env(visualization, "services__peer-1__grpc__0"));
        Assert.DoesNotContain(File.ReadAllText(Path.Combine(folder.Path, "peer.yaml")), "5201");
    }

    private static Dictionary<string, byte[]> Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(file => !file.EndsWith(".secret", StringComparison.Ordinal))
            .ToDictionary(file => Path.GetRelativePath(folder, file), File.ReadAllBytes);
}
