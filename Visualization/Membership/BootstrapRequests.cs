using Google.Protobuf;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Membership;

namespace MlAspire.Visualization.Membership;

/// <summary>
/// The observer's Join, Heartbeat and Leave, each signed as bootstrap.proto says: a <see cref="CallProof"/> for the
/// call's purpose, audience "bootstrap", over the request serialized with its proof field still unset.
/// </summary>
internal static class BootstrapRequests
{
    private const string Audience = "bootstrap";

    public static JoinRequest Join(ObserverIdentity identity)
    {
        var request = new JoinRequest { PeerId = identity.PeerId, Observer = true };
        request.Proof = Proof(identity, "join", request);
        return request;
    }

    public static HeartbeatRequest Heartbeat(ObserverIdentity identity)
    {
        var request = new HeartbeatRequest { PeerId = identity.PeerId };
        request.Proof = Proof(identity, "heartbeat", request);
        return request;
    }

    public static LeaveRequest Leave(ObserverIdentity identity)
    {
        var request = new LeaveRequest { PeerId = identity.PeerId };
        request.Proof = Proof(identity, "leave", request);
        return request;
    }

    private static RequestProof Proof(ObserverIdentity identity, string purpose, IMessage unsigned)
    {
        var proof = CallProof.Create(identity.Key, purpose, Audience, identity.NextProofTimeMs(), unsigned.ToByteArray());
        return new RequestProof { PublicKey = proof.PublicKey, TimeMs = proof.TimeMs, Signature = proof.Signature };
    }
}
