using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlAspire.Storage.Membership;

namespace MlAspire.Bootstrap.Grpc;

/// <summary>
/// Checks that Join, Heartbeat and Leave come from the holder of the key behind the peer id they act for: a
/// <see cref="RequestProof"/> (<see cref="CallProof"/> semantics) over the request with the proof cleared, for this
/// call's purpose, addressed to the bootstrap, in time, and newer than any accepted from that id before. Anything else
/// is refused with PERMISSION_DENIED before the call changes anything.
/// </summary>
public sealed partial class RequestProofVerifier(IOptions<BootstrapOptions> options, TimeProvider time, ProofReplayGuard replays, ILogger<RequestProofVerifier> logger)
{
    public const string Audience = "bootstrap";
    public const string JoinPurpose = "join";
    public const string HeartbeatPurpose = "heartbeat";
    public const string LeavePurpose = "leave";

    /// <summary>The bytes a proof signs: <paramref name="request"/> serialized with its "proof" field cleared.</summary>
    public static byte[] SignedBytes<T>(T request) where T : IMessage<T>
    {
        var unsigned = request.Clone();
        unsigned.Descriptor.FindFieldByName("proof").Accessor.Clear(unsigned);
        return unsigned.ToByteArray();
    }

    /// <summary>Forgets a proof that <see cref="Verify"/> accepted for a call that then changed nothing.</summary>
    public void Withdraw(string peerId, long timeMs) => replays.Withdraw(peerId, timeMs);

    /// <exception cref="RpcException">PERMISSION_DENIED, or RESOURCE_EXHAUSTED when too many callers proved themselves lately.</exception>
    public void Verify<T>(T request, string peerId, RequestProof? proof, string purpose, ServerCallContext context) where T : IMessage<T>
    {
        if (proof is null)
            throw Denied(context, purpose, peerId, "request proof missing: sign the request with the key whose hash is peer_id (RequestProof)");
        var callProof = new CallProof(proof.PublicKey, proof.TimeMs, proof.Signature);
        if (callProof.PeerId is not { } keyId)
            throw Denied(context, purpose, peerId, "proof.public_key is not a base64 SubjectPublicKeyInfo");
        if (keyId != peerId)
            throw Denied(context, purpose, peerId, $"peer_id is not the hash of proof.public_key (which is {keyId}): a peer acts under its own id only");

        var settings = options.Value;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        switch (callProof.Check(purpose, Audience, SignedBytes(request), now, settings.ClockSkew))
        {
            case ProofCheck.Valid:
                break;
            case ProofCheck.Stale:
                throw Denied(context, purpose, peerId,
                    $"request proof time {proof.TimeMs} is {proof.TimeMs - now} ms off the bootstrap's clock ({now}); at most {settings.ClockSkew} either way is accepted: check the clock");
            case ProofCheck.NonCanonical:
                throw Denied(context, purpose, peerId, "request proof signature is not canonical (low-s P1363, strict base64)");
            default:
                throw Denied(context, purpose, peerId, $"request proof signature invalid: it must sign purpose '{purpose}', audience '{Audience}', time_ms and this request with the proof cleared");
        }

        switch (replays.TryAccept(peerId, proof.TimeMs, now))
        {
            case ProofAcceptance.Accepted:
                return;
            case ProofAcceptance.Replayed:
                throw Denied(context, purpose, peerId, "request proof replayed: its time_ms is not newer than one already accepted from this peer id (time_ms must increase with every call)");
            default:
                LogTooManyCallers(context.Peer);
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"Too many peers proved themselves within the last {settings.ClockSkew + settings.EffectivePeerTimeout}; retry later."));
        }
    }

    private RpcException Denied(ServerCallContext context, string purpose, string peerId, string problem)
    {
        LogDenied(purpose, Shorten(peerId), context.Peer, problem);
        return new RpcException(new Status(StatusCode.PermissionDenied, problem));
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Purpose} for peer {PeerId} from {Caller}: {Problem}")]
    private partial void LogDenied(string purpose, string peerId, string caller, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a new caller from {Caller}: the replay guard is full (2 × (MaxPeers + MaxObservers) recent ids)")]
    private partial void LogTooManyCallers(string caller);
}
