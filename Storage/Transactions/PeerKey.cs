using System.Security.Cryptography;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Transactions;

/// <summary>
/// A peer's signing identity: an ECDSA P-256 key. The peer id is derived from the public key, so nobody can publish
/// under another peer's id without its private key.
/// </summary>
public sealed class PeerKey : IDisposable
{
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

    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256);

    /// <summary>"p" + base32 of the first 20 bytes of SHA-256(public key).</summary>
    public static string IdOf(string publicKey)
    {
        var spki = Convert.FromBase64String(publicKey);
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

    /// <summary>Checks a signature against a base64 public key; false for any malformed input, never an exception.</summary>
    public static bool Verify(string publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
            return key.KeySize == 256 && key.VerifyData(data, signature, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
    }

    public void Dispose() => _key.Dispose();
}
