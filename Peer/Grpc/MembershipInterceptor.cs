using System.Collections.Concurrent;
using Grpc.Core;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Telemetry;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Grpc;

/// <summary>
/// Admits a TangleSync call only from a member: the metadata must carry a credential this tangle's Bootstrap issued,
/// valid now, and a fresh proof that the caller holds its key, addressed to this peer. A proof is checked once and then
/// remembered until it goes stale, so a busy caller costs one signature check per proof, not per call.
/// </summary>
public sealed partial class MembershipInterceptor(Replica replica, PeerKey key, TimeProvider time, PeerMetrics metrics, ILogger<MembershipInterceptor> logger) : AdmissionInterceptor
{
    private const int MaxRemembered = 4096;
    private readonly ConcurrentDictionary<string, long> _admitted = new(StringComparer.Ordinal); // proof text → admitted until (ms)

    protected override void Admit(ServerCallContext context)
    {
        if (!replica.IsInitialized)
            throw new RpcException(new Status(StatusCode.Unavailable, "This peer has not joined a tangle yet."));
        var proof = context.RequestHeaders.GetValue(MemberCallHeaders.Proof);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (proof is not null && _admitted.TryGetValue(proof, out var until) && until > now)
            return;
        var skew = TransactionVerifier.DefaultClockSkew;
        var grant = MemberCallHeaders.Check(context.RequestHeaders.GetValue(MemberCallHeaders.Credential), proof,
            replica.GenesisDocument.CreatorKey, replica.Genesis, key.Id, now, skew, out var problem);
        if (grant is null)
        {
            metrics.CallRefused("no_membership");
            LogRefused(context.Method, context.Peer, problem);
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Members only: {problem}."));
        }
        if (_admitted.Count >= MaxRemembered)
            _admitted.Clear();
        CallProof.TryParse(proof, out var parsed);
        _admitted[proof!] = Math.Min(parsed!.TimeMs + (long)skew.TotalMilliseconds, grant.Expires);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Method} from {Caller}: {Problem}")]
    private partial void LogRefused(string method, string caller, string problem);
}
