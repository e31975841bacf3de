using System.Text.Json.Nodes;
using k8s.Models;
using MlAspire.AppHost;

namespace MlAspire.Deploy.Tests;

/// <summary>
/// Where each pod keeps its state, over a fresh publication: what the kubelet counts against a pod's scratch disk, and
/// whether the claims hold the stores they carry.
/// </summary>
public sealed class StorageTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    /// <summary>What a pod's containers keep of their scratch-disk limits beside its emptyDirs: logs and temporary files.</summary>
    private const long LogHeadroom = 256L << 20;

    /// <summary>
    /// A store's cap is soft: Kubo collects only every GCPeriod and past its watermark, Prometheus's size-based retention
    /// removes whole blocks after compaction, and both keep a write-ahead log beside their data. A claim holds a quarter more.
    /// </summary>
    private const double SoftCapRoom = 1.25;

    /// <summary>
    /// The kubelet counts a pod's emptyDirs against the sum of its containers' ephemeral-storage limits and evicts the
    /// pod past it, whatever the emptyDir's own sizeLimit: a volume larger than that sum (less what logs take) evicts its
    /// pod before it is full, and loses its data with it.
    /// </summary>
    [Fact]
    public void Every_pods_empty_dirs_fit_within_its_containers_scratch_disk_limits_with_room_for_logs()
    {
        foreach (var workload in fresh.Manifests.Workloads)
        {
            var emptyDirs = Volumes(workload).Where(volume => volume["emptyDir"] is not null).ToList();
            foreach (var volume in emptyDirs)
                Assert.True(volume["emptyDir"]!["sizeLimit"] is not null, $"{workload}: emptyDir '{volume["name"]}' is unbounded");
            var emptyDirBytes = emptyDirs.Sum(volume => Bytes((string)volume["emptyDir"]!["sizeLimit"]!));
            var limitBytes = workload.Containers.Sum(container => Bytes((string)container["resources"]!["limits"]!["ephemeral-storage"]!));
            Assert.True(emptyDirBytes + LogHeadroom <= limitBytes,
                $"{workload}: emptyDirs of {emptyDirBytes >> 20} MiB plus {LogHeadroom >> 20} MiB of logs exceed the containers' ephemeral-storage limits of {limitBytes >> 20} MiB");
        }
    }

    /// <summary>
    /// A peer's key, replica and Kubo repo, Prometheus's series and Grafana's database live on claims, which a
    /// reschedule, an image bump or a token rotation (which renames the hashed Secret and rolls the StatefulSet) keep:
    /// every volume a stateful container writes comes from a claim, never from an emptyDir.
    /// </summary>
    [Theory]
    [InlineData("StatefulSet", "peer", "peer", "/data/peer")]
    [InlineData("StatefulSet", "peer", "ipfs", "/data/ipfs")]
    [InlineData("Deployment", "bootstrap", "bootstrap", "/data/bootstrap")]
    [InlineData("Deployment", "prometheus", "prometheus", "/prometheus")]
    [InlineData("Deployment", "grafana", "grafana", "/var/lib/grafana")]
    public void State_lives_on_persistent_volume_claims(string kind, string workloadName, string containerName, string path)
    {
        var workload = fresh.Manifests.Single(kind, workloadName);
        var container = workload.Containers.Single(candidate => (string?)candidate["name"] == containerName);
        var mount = container["volumeMounts"]!.AsArray().Select(node => node!.AsObject()).Single(candidate => (string?)candidate["mountPath"] == path);
        var volumeName = (string)mount["name"]!;
        if (kind == "StatefulSet")
        {
            Assert.Contains(ClaimTemplates(workload), template => (string?)template["metadata"]!["name"] == volumeName);
            Assert.DoesNotContain(Volumes(workload), volume => (string?)volume["name"] == volumeName);
            // Scaling down or deleting the StatefulSet keeps the claims: scaling up again finds each peer's identity.
            Assert.Equal("Retain", (string?)workload.Tree["spec"]!["persistentVolumeClaimRetentionPolicy"]?["whenScaled"]);
            Assert.Equal("Retain", (string?)workload.Tree["spec"]!["persistentVolumeClaimRetentionPolicy"]?["whenDeleted"]);
        }
        else
        {
            var volume = Volumes(workload).Single(candidate => (string?)candidate["name"] == volumeName);
            var claim = (string?)volume["persistentVolumeClaim"]?["claimName"];
            Assert.True(claim is not null, $"{workload}: {path} is on '{volumeName}', which is not a claim: {volume.ToJsonString()}");
            fresh.Manifests.Single("PersistentVolumeClaim", claim);
        }
    }

    /// <summary>
    /// An upgrade is a new image tag: it must apply to a running StatefulSet, whose claim templates, selector and service
    /// name the API server refuses to change. So they must not change, or the upgrade fails (and deleting the
    /// StatefulSet to force it is what operators then do). A rotated token is a Secret kustomize renames, which changes
    /// only references inside the pod template.
    /// </summary>
    [Fact]
    public async Task An_upgrade_leaves_the_peer_stateful_sets_immutable_fields_as_they_are()
    {
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--K3s:Tag", "9.9.9");
        var upgraded = Manifests.Load(folder.Path).Single("StatefulSet", "peer");
        var running = fresh.Manifests.Single("StatefulSet", "peer");
        Assert.NotEqual(running.Containers.First()["image"]!.ToJsonString(), upgraded.Containers.First()["image"]!.ToJsonString());
        foreach (var field in new[] { "volumeClaimTemplates", "selector", "serviceName", "podManagementPolicy" })
            Assert.True(running.Tree["spec"]![field]!.ToJsonString() == upgraded.Tree["spec"]![field]!.ToJsonString(),
                $"spec.{field} changes with the image tag:\n{running.Tree["spec"]![field]!.ToJsonString()}\n{upgraded.Tree["spec"]![field]!.ToJsonString()}");
    }

    /// <summary>A peer pod's claim holds its Kubo repo at the node's StorageMax and more, and the peer's own cap below that.</summary>
    [Fact]
    public void A_peer_pods_claim_holds_its_stores_caps()
    {
        var peer = fresh.Manifests.Single("StatefulSet", "peer");
        var claimBytes = Bytes((string)ClaimTemplates(peer).Single()["spec"]!["resources"]!["requests"]!["storage"]!);
        var kubo = peer.Containers.Single(container => (string?)container["name"] == "ipfs");
        var storageMax = StorageSize.Parse(Manifests.Env(kubo, "IPFS_STORAGE_MAX")!)!.Value;
        var peerCap = long.Parse(Manifests.Env(peer.Containers.First(), "Peer__StorageCap")!);
        Assert.True(peerCap < storageMax, $"the peer's cap {peerCap} is not below Kubo's StorageMax {storageMax}");
        Assert.True(claimBytes >= storageMax * SoftCapRoom,
            $"a peer's claim of {claimBytes >> 20} MiB does not hold Kubo's StorageMax of {storageMax >> 20} MiB and a quarter more");
    }

    /// <summary>Prometheus keeps at most its retention size of series: its claim holds that and a quarter more.</summary>
    [Fact]
    public void Prometheus_claim_holds_its_retention_size()
    {
        var prometheus = fresh.Manifests.Single("Deployment", "prometheus");
        var retention = prometheus.Containers.Single()["args"]!.AsArray().Select(arg => (string)arg!)
            .Single(arg => arg.StartsWith("--storage.tsdb.retention.size=", StringComparison.Ordinal)).Split('=')[1];
        var claim = fresh.Manifests.Single("PersistentVolumeClaim", "prometheus-data");
        var claimBytes = Bytes((string)claim.Tree["spec"]!["resources"]!["requests"]!["storage"]!);
        Assert.EndsWith("MB", retention);
        var retentionBytes = long.Parse(retention[..^2]) << 20; // Prometheus's MB is 2^20 bytes
        Assert.True(claimBytes >= retentionBytes * SoftCapRoom,
            $"Prometheus's claim of {claimBytes >> 20} MiB does not hold its retention size of {retention} and a quarter more");
    }

    /// <summary>
    /// Every claim (the peers' template, the Bootstrap's, Prometheus's and Grafana's) takes --K3s:StorageClass, so that
    /// with a replicated class each can start on another node; unset, none names one (the cluster's default).
    /// </summary>
    [Fact]
    public async Task Every_claim_takes_the_configured_storage_class()
    {
        using var folder = new TemporaryFolder();
        await Publication.PublishAsync(folder, "--K3s:StorageClass", "longhorn");
        var classes = Claims(Manifests.Load(folder.Path)).Select(claim => (string?)claim["spec"]!["storageClassName"]).ToList();
        Assert.Equal(4, classes.Count);
        Assert.All(classes, storageClass => Assert.Equal("longhorn", storageClass));
        Assert.All(Claims(fresh.Manifests), claim => Assert.Null(claim["spec"]!["storageClassName"]));
    }

    private static IEnumerable<JsonObject> Claims(Manifests manifests) =>
        manifests.Documents.Where(document => document.Kind == "PersistentVolumeClaim").Select(document => document.Tree)
            .Concat(manifests.Workloads.SelectMany(ClaimTemplates));

    private static IEnumerable<JsonObject> Volumes(Document workload) =>
        workload.PodSpec!["volumes"]?.AsArray().Select(node => node!.AsObject()) ?? [];

    private static IEnumerable<JsonObject> ClaimTemplates(Document workload) =>
        workload.Tree["spec"]!["volumeClaimTemplates"]?.AsArray().Select(node => node!.AsObject()) ?? [];

    private static long Bytes(string quantity) => (long)new ResourceQuantity(quantity).ToDecimal();
}
