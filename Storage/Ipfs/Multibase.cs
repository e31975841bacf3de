using System.Buffers.Text;
using System.Numerics;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Ipfs;

/// <summary>The few multibase encodings the Kubo RPC API uses: 'u' (base64url, no padding) for pubsub, 'z' (base58btc) CIDs.</summary>
internal static class Multibase
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static string EncodeBase64Url(ReadOnlySpan<byte> data) => "u" + Base64Url.EncodeToString(data);

    /// <exception cref="FormatException">The text is null, lacks the 'u' prefix, or is not base64url.</exception>
    public static byte[] DecodeBase64Url(string? text)
    {
        if (text is null || !text.StartsWith('u'))
            throw new FormatException($"'{text}' is not multibase base64url (prefix 'u')");
        return Base64Url.DecodeFromChars(text.AsSpan(1));
    }

    /// <summary>
    /// A CIDv1 written in base32 ('b'), as this system and Kubo write it: js-ipfs answers base58btc ('z') on several
    /// endpoints, and asking it for base32 fails outright on endpoints that also list CIDv0s. A CIDv0 ("Qm…", what
    /// js-ipfs's block/put answers for dag-pb) is the same block as the dag-pb CIDv1 of its multihash; base32 CIDs come
    /// back unchanged.
    /// </summary>
    public static string CidToBase32(string cid) =>
        cid.StartsWith('z') ? "b" + Base32.Encode(DecodeBase58(cid.AsSpan(1)))
        : cid.Length == 46 && cid.StartsWith("Qm", StringComparison.Ordinal) ? "b" + Base32.Encode([0x01, 0x70, .. DecodeBase58(cid)])
        : cid;

    private static byte[] DecodeBase58(ReadOnlySpan<char> text)
    {
        var value = BigInteger.Zero;
        foreach (var ch in text)
        {
            var digit = Base58Alphabet.IndexOf(ch);
            if (digit < 0)
                throw new FormatException($"'{ch}' is not a base58btc digit");
            value = value * 58 + digit;
        }
        // Each leading '1' is a leading zero byte, which the number itself cannot carry.
        var leadingZeros = 0;
        while (leadingZeros < text.Length && text[leadingZeros] == '1')
            leadingZeros++;
        var digits = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var bytes = new byte[leadingZeros + digits.Length];
        digits.CopyTo(bytes, leadingZeros);
        return bytes;
    }
}
