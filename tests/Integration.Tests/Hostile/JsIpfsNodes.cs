using MlAspire.Storage.Tests.Ipfs;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>Real js-ipfs nodes for the IPFS-mode attacks (tools/ipfs, installed by tests/run.sh).</summary>
public static class JsIpfsNodes
{
    public static async Task<IReadOnlyList<JsIpfsNode>> StartAsync(int count)
    {
        var tools = Path.Combine(Repository.Root, "tools", "ipfs");
        if (!File.Exists(Path.Combine(tools, "node_modules", ".bin", "jsipfs")))
            Assert.Fail("js-ipfs is not installed: run `bash tools/ipfs/setup.sh` (tests/run.sh does).");
        return await JsIpfsNode.StartManyAsync(Path.Combine(tools, "start-node.sh"), count, TimeSpan.FromSeconds(90));
    }

    /// <summary>The multiaddress other nodes dial to reach <paramref name="node"/>.</summary>
    public static async Task<string> DialAddressAsync(JsIpfsNode node) =>
        $"/ip4/127.0.0.1/tcp/{node.SwarmPort}/p2p/{(await node.Client.IdAsync(CancellationToken.None)).PeerId}";
}
