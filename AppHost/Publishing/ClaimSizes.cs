using System.Globalization;
using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// Sizes of the PersistentVolumeClaims, each from the cap of the store it holds. A cap is soft: Kubo collects garbage
/// only every GCPeriod and past its watermark, Prometheus's size-based retention drops whole blocks after compaction, and
/// both keep a write-ahead log beside their data. So a claim holds its cap and a quarter more, in whole GiB.
/// </summary>
internal static class ClaimSizes
{
    /// <summary>
    /// Beside its store, a peer's data directory: its key, its replica's journal (at the document horizon, 100,000 records
    /// of about 1.5 KB) and a journal rewrite's second copy.
    /// </summary>
    private const long PeerFiles = 512L << 20;

    /// <summary>
    /// A pod whose containers keep stores on one claim (a peer's own store and its Kubo node's repo hold the same blocks):
    /// the largest cap any of them declares, Kubo's StorageMax or the peer's StorageCap, and the peer's own files.
    /// </summary>
    public static ResourceQuantity ForStores(string workload, IEnumerable<V1Container> containers)
    {
        var caps = containers.SelectMany(container => container.Env ?? []).Select(StoreCap).OfType<long>().ToList();
        if (caps.Count == 0)
            throw new InvalidOperationException($"'{workload}' keeps data but declares no store cap (IPFS_STORAGE_MAX or Peer__StorageCap) to size its claim from.");
        return GiB(WithSoftCapRoom(caps.Max()) + PeerFiles);
    }

    /// <summary>Prometheus's claim, from its size-based retention.</summary>
    public static ResourceQuantity ForRetention(long retentionBytes) => GiB(WithSoftCapRoom(retentionBytes));

    private static long WithSoftCapRoom(long cap) => cap + cap / 4;

    private static long? StoreCap(V1EnvVar variable) => variable.Name switch
    {
        "IPFS_STORAGE_MAX" => StorageSize.Parse(variable.Value ?? ""),
        "Peer__StorageCap" => long.Parse(variable.Value, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static ResourceQuantity GiB(long bytes) => new($"{(bytes + (1L << 30) - 1) >> 30}Gi");
}
