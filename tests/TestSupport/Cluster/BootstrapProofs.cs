using Google.Protobuf;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;

namespace MlAspire.Integration.Tests;

/// <summary>Signs Bootstrap requests as members do (see bootstrap.proto, RequestProof).</summary>
public static class BootstrapProofs
{
    /// <summary>Proof times that strictly increase per key, as the Bootstrap's replay protection requires.</summary>
    public sealed class Clock
    {
        private long _last;

        public long Next()
        {
            var next = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Interlocked.Read(ref _last) + 1);
            Interlocked.Exchange(ref _last, next);
            return next;
        }
    }

    /// <summary>A proof over <paramref name="request"/> with its proof field still empty.</summary>
    public static RequestProof Prove(PeerKey key, string purpose, IMessage request, Clock clock)
    {
        var proof = CallProof.Create(key, purpose, "bootstrap", clock.Next(), request.ToByteArray());
        return new RequestProof { PublicKey = proof.PublicKey, TimeMs = proof.TimeMs, Signature = proof.Signature };
    }
}
