using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using MlAspire.Storage.Transactions;

namespace MlAspire.Storage.Membership;

/// <summary>
/// Proof that a caller holds the private key behind its peer id: a signature over a purpose ("join", "tangle-sync", …),
/// the party it is meant for (so it cannot be replayed to another), a moment (so it goes stale), and the request body.
/// </summary>
/// <param name="PublicKey">The caller's SubjectPublicKeyInfo, base64; its hash is the caller's peer id.</param>
/// <param name="TimeMs">Unix milliseconds, caller's clock.</param>
public sealed record CallProof(string PublicKey, long TimeMs, string Signature)
{
    /// <summary>The text form is at most this long; longer metadata is refused before it is parsed.</summary>
    public const int MaxTextLength = 512;

    public static CallProof Create(PeerKey key, string purpose, string audience, long timeMs, ReadOnlySpan<byte> body) =>
        new(key.PublicKey, timeMs, key.SignToText(Payload(purpose, audience, timeMs, body)));

    /// <summary>The caller's peer id, or null when the key is not a valid encoding.</summary>
    public string? PeerId => PeerKey.TryIdOf(PublicKey, out var id) ? id : null;

    /// <summary>Whether the proof is for this purpose, audience and body, signed by its key, and taken within <paramref name="skew"/> of now.</summary>
    public ProofCheck Check(string purpose, string audience, ReadOnlySpan<byte> body, long nowMs, TimeSpan skew)
    {
        if (PeerId is null) return ProofCheck.BadSignature;
        // In 128 bits: the difference of two longs can overflow a long (and Math.Abs(long.MinValue) throws).
        if (Int128.Abs((Int128)nowMs - TimeMs) > (long)skew.TotalMilliseconds) return ProofCheck.Stale;
        return PeerKey.Verify(PublicKey, Payload(purpose, audience, TimeMs, body), Signature) switch
        {
            PeerKey.Check.Valid => ProofCheck.Valid,
            PeerKey.Check.NonCanonical => ProofCheck.NonCanonical,
            _ => ProofCheck.BadSignature,
        };
    }

    /// <summary>"KEY.TIME.SIGNATURE": base64 never contains a dot, and gRPC metadata carries it as is.</summary>
    public override string ToString() => $"{PublicKey}.{TimeMs}.{Signature}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out CallProof? proof)
    {
        proof = null;
        if (text is null || text.Length > MaxTextLength) return false;
        var parts = text.Split('.');
        if (parts.Length != 3 || !long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var time))
            return false;
        proof = new CallProof(parts[0], time, parts[2]);
        return true;
    }

    private static byte[] Payload(string purpose, string audience, long timeMs, ReadOnlySpan<byte> body)
    {
        var header = Encoding.UTF8.GetBytes($"mlaspire/{purpose}\n{audience}\n{timeMs}\n");
        return [.. header, .. SHA256.HashData(body)];
    }
}

public enum ProofCheck { Valid, BadSignature, NonCanonical, Stale }
