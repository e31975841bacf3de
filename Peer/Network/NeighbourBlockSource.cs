using Grpc.Core;
using MlAspire.Peer.Grpc;
using MlAspire.Storage.Content;

namespace MlAspire.Peer.Network;

/// <summary>Embedded mode's bitswap: asks known neighbours, in turn, for a block over gRPC.</summary>
public sealed class NeighbourBlockSource(NeighbourDirectory neighbours, ILogger<NeighbourBlockSource> logger) : IBlockSource
{
    public async Task<byte[]?> TryFetchAsync(Cid cid, CancellationToken cancellationToken)
    {
        foreach (var neighbour in neighbours.Current)
        {
            if (neighbours.Client(neighbour.PeerId) is not { } client) continue;
            try
            {
                var block = await client.GetBlockAsync(new GetBlockRequest { Cid = cid.ToString() }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                return block.Data.ToByteArray();
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
            {
                if (e.StatusCode != StatusCode.NotFound)
                    logger.LogDebug("Neighbour {Peer} could not serve block {Cid}: {Status}", neighbour.PeerId, cid, e.Status.Detail);
            }
        }
        return null;
    }
}
