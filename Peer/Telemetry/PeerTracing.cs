using System.Diagnostics;

namespace MlAspire.Peer.Telemetry;

/// <summary>
/// The "MlAspire.Peer" activity source. A training step is one trace: its spans (train, publish, reference) contain the
/// IPFS RPC calls and gRPC calls made meanwhile, which the HttpClient instrumentation records as child spans.
/// </summary>
public static class PeerTracing
{
    public const string SourceName = "MlAspire.Peer";

    public static readonly ActivitySource Source = new(SourceName);
}
