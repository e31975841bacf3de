using System.Numerics;
using System.Security.Cryptography;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Transactions;

/// <summary>
/// A signing identity: an ECDSA P-256 key. The id of a peer (or of the Bootstrap) is derived from its public key, so
/// nobody can act under another id without its private key.
/// </summary>
/// <remarks>
/// Signatures are canonical: IEEE P1363 (r‖s, 64 bytes) with s in the lower half of the group order, written in strict
/// base64. ECDSA signatures are malleable (s and n − s both verify), and a second valid encoding of one signature
/// would give a second CID to one transaction; only the low-s form is produced and accepted.
/// </remarks>
public sealed class PeerKey : IDisposable
{
    private const int SignatureBytes = 64;

    // The order n of the P-256 group, and n / 2.
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger HalfOrder = Order >> 1;

    private readonly ECDsa _key;

    private PeerKey(ECDsa key)
    {
        _key = key;
        PublicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        Id = IdOf(PublicKey);
    }

    public string Id { get; }

    /// <summary>SubjectPublicKeyInfo, base64.</summary>
    public string PublicKey { get; }

    public static PeerKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static PeerKey Import(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        if (key.KeySize != 256)
            throw new CryptographicException($"Expected a P-256 key, got {key.KeySize} bits.");
        return new PeerKey(key);
    }

    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    /// <summary>A canonical (low-s) P1363 signature of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        var signature = _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        ToLowS(signature);
        return signature;
    }

    /// <summary>Replaces a high s of a P1363 signature by n − s, as 32 big-endian bytes.</summary>
    internal static void ToLowS(Span<byte> signature)
    {
        var field = signature[32..];
        var s = new BigInteger(field, isUnsigned: true, isBigEndian: true);
        if (s <= HalfOrder)
            return;
        // n − s < n/2 fits in 32 bytes but may need fewer: right-aligned, after leading zeros.
        var low = Order - s;
        field.Clear();
        low.TryWriteBytes(field[(field.Length - low.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
    }

    /// <summary><see cref="Sign"/>, in strict base64.</summary>
    public string SignToText(ReadOnlySpan<byte> data) => Convert.ToBase64String(Sign(data));

    /// <summary>"p" + base32 of the first 20 bytes of SHA-256(public key).</summary>
    public static string IdOf(string publicKey)
    {
        var spki = StrictBase64.Decode(publicKey) ?? throw new FormatException("The public key is not strict base64.");
        return "p" + Base32.Encode(SHA256.HashData(spki).AsSpan(0, 20));
    }

    public static bool TryIdOf(string publicKey, out string id)
    {
        try
        {
            id = IdOf(publicKey);
            return true;
        }
        catch (FormatException)
        {
            id = "";
            return false;
        }
    }

    /// <summary>What checking a signature found.</summary>
    public enum Check { Valid, Invalid, NonCanonical }

    /// <summary>
    /// Checks a base64 signature against a base64 public key. A high-s signature or a base64 text that is not the
    /// strict encoding of its bytes is <see cref="Check.NonCanonical"/> even when it would verify; never throws.
    /// </summary>
    public static Check Verify(string publicKey, ReadOnlySpan<byte> data, string signature)
    {
        if (StrictBase64.Decode(signature) is not { } bytes)
            return Check.NonCanonical;
        if (bytes.Length != SignatureBytes)
            return Check.Invalid;
        if (new BigInteger(bytes.AsSpan(32), isUnsigned: true, isBigEndian: true) > HalfOrder)
            return Check.NonCanonical;
        if (VerifyingKeys.Get(publicKey) is not { } key)
            return Check.Invalid;
        lock (key)
            return key.VerifyData(data, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation) ? Check.Valid : Check.Invalid;
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>
/// Public keys imported for verification, kept: importing costs about three times what verifying does, and a peer
/// checks the same few keys all the time (every member's, the Bootstrap's in every credential). Bounded: past
/// <see cref="Capacity"/> keys the cache starts over, so fresh keys from a flood cost the import again, never memory.
/// </summary>
internal static class VerifyingKeys
{
    public const int Capacity = 4096;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ECDsa?> Keys = new(StringComparer.Ordinal);

    /// <summary>The P-256 key <paramref name="publicKey"/> (strict base64 SPKI) encodes, or null when it encodes none.</summary>
    public static ECDsa? Get(string publicKey)
    {
        if (Keys.TryGetValue(publicKey, out var known))
            return known;
        var key = Import(publicKey);
        if (Keys.Count >= Capacity)
            Keys.Clear(); // keys dropped here may still be in use: they are not disposed, the GC finalizes them
        return Keys.GetOrAdd(publicKey, key);
    }

    private static ECDsa? Import(string publicKey)
    {
        if (StrictBase64.Decode(publicKey) is not { } spki)
            return null;
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out var read);
            // Only the encoding the key exports: a bit string claiming some zero bits unused imports too, and would
            // give one signer a second identity.
            if (read == spki.Length && key.KeySize == 256 && key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(spki))
                return key;
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            // PlatformNotSupportedException: a well-formed key on a curve the platform does not know (any OID will do).
        }
        key.Dispose();
        return null;
    }
}

/// <summary>Base64 read strictly: only the one text <see cref="Convert.ToBase64String(byte[])"/> writes for the bytes.</summary>
public static class StrictBase64
{
    /// <summary>The bytes, or null when <paramref name="text"/> is not exactly their standard base64 (no whitespace, no stray bits).</summary>
    public static byte[]? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length % 4 != 0)
            return null;
        var bytes = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
            return null;
        bytes = bytes[..written];
        return Convert.ToBase64String(bytes) == text ? bytes : null;
    }
}
