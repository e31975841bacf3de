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
    /// <summary>Where an admitted call's member id is left for the service (ServerCallContext.UserState).</summary>
    public const string MemberKey = "mlaspire.member";

    private const int MaxRemembered = 1024;

    // (proof, credential) as sent → (member, admitted until in ms): the same proof with another credential is checked anew.
    private readonly ConcurrentDictionary<string, (string Member, long Until)> _admitted = new(StringComparer.Ordinal);

    protected override void Admit(ServerCallContext context)
    {
        if (!replica.IsInitialized)
            throw new RpcException(new Status(StatusCode.Unavailable, "This peer has not joined a tangle yet."));
        var proof = context.RequestHeaders.GetValue(MemberCallHeaders.Proof);
        var credential = context.RequestHeaders.GetValue(MemberCallHeaders.Credential);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var remembered = $"{proof}\n{credential}";
        if (proof is not null && credential is not null && _admitted.TryGetValue(remembered, out var admitted) && admitted.Until > now)
        {
            context.UserState[MemberKey] = admitted.Member;
            return;
        }
        var skew = TransactionVerifier.DefaultClockSkew;
        var grant = MemberCallHeaders.Check(credential, proof, replica.GenesisDocument.CreatorKey, replica.Genesis, key.Id, now, skew, out var problem);
        if (grant is null)
        {
            metrics.CallRefused("no_membership");
            LogRefused(context.Method, context.Peer, problem);
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Members only: {problem}."));
        }
        if (_admitted.Count >= MaxRemembered)
            _admitted.Clear();
        CallProof.TryParse(proof, out var parsed);
        _admitted[remembered] = (grant.Subject, Math.Min(parsed!.TimeMs + (long)skew.TotalMilliseconds, grant.Expires));
        context.UserState[MemberKey] = grant.Subject;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Method} from {Caller}: {Problem}")]
    private partial void LogRefused(string method, string caller, string problem);
}
