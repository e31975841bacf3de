using System.Security.Cryptography;

namespace MlAspire.Storage.Content;

/// <summary>The multicodecs this system stores: raw weight blobs, DAG-JSON transactions, and DAG-PB roots of chunked blobs.</summary>
public enum ContentCodec
{
    Raw = 0x55,
    DagPb = 0x70,
    DagJson = 0x0129,
}

/// <summary>
/// A CIDv1 with a SHA2-256 multihash, written in base32 (multibase prefix 'b') as IPFS writes it. The same bytes give
/// the same CID in the embedded store and in any IPFS node, which is what lets the two backends interoperate.
/// </summary>
public readonly record struct Cid(ContentCodec Codec, byte[] Digest) : IComparable<Cid>
{
    private const int Sha256Code = 0x12;
    private const int DigestLength = 32;

    public static Cid Compute(ContentCodec codec, ReadOnlySpan<byte> content) => new(codec, SHA256.HashData(content));

    /// <summary>True when <paramref name="content"/> hashes to this CID.</summary>
    public bool Matches(ReadOnlySpan<byte> content) => SHA256.HashData(content).AsSpan().SequenceEqual(Digest);

    public byte[] ToBytes()
    {
        var bytes = new List<byte>(40);
        Varint.Write(bytes, 1);
        Varint.Write(bytes, (ulong)Codec);
        Varint.Write(bytes, Sha256Code);
        Varint.Write(bytes, DigestLength);
        bytes.AddRange(Digest);
        return [.. bytes];
    }

    public override string ToString() => "b" + Base32.Encode(ToBytes());

    public static Cid Parse(string text) =>
        TryParse(text, out var cid, out var error) ? cid : throw new FormatException($"'{Shorten(text)}' is not a CID this system uses: {error}");

    public static bool TryParse(string? text, out Cid cid, out string error)
    {
        cid = default;
        if (string.IsNullOrEmpty(text) || text[0] != 'b') { error = "expected a base32 CIDv1 starting with 'b'"; return false; }
        if (!Base32.TryDecode(text.AsSpan(1), out var bytes)) { error = "invalid base32"; return false; }
        var span = bytes.AsSpan();
        if (!Varint.TryRead(ref span, out var version) || version != 1) { error = "not CID version 1"; return false; }
        if (!Varint.TryRead(ref span, out var codec) || codec is not ((ulong)ContentCodec.Raw or (ulong)ContentCodec.DagPb or (ulong)ContentCodec.DagJson)) { error = "codec is not raw, dag-pb or dag-json"; return false; }
        if (!Varint.TryRead(ref span, out var hash) || hash != Sha256Code) { error = "hash is not sha2-256"; return false; }
        if (!Varint.TryRead(ref span, out var length) || length != DigestLength || span.Length != DigestLength) { error = "digest is not 32 bytes"; return false; }
        cid = new Cid((ContentCodec)codec, span.ToArray());
        // Stray bits in the last base32 character, a character that adds no whole byte, or a varint longer than it
        // needs all decode to the same CID: accept its one text only, so that equal CIDs are equal strings.
        if (cid.ToString() != text) { cid = default; error = "not the canonical text of its CID"; return false; }
        error = "";
        return true;
    }

    public bool Equals(Cid other) => Codec == other.Codec && Digest.AsSpan().SequenceEqual(other.Digest);

    public override int GetHashCode() => Digest is null ? 0 : HashCode.Combine(Codec, BitConverter.ToInt32(Digest, 0));

    public int CompareTo(Cid other) => string.CompareOrdinal(ToString(), other.ToString());

    private static string Shorten(string? text) => text is null ? "null" : text.Length > 80 ? text[..80] + "…" : text;
}

internal static class Varint
{
    public static void Write(List<byte> into, ulong value)
    {
        while (value >= 0x80)
        {
            into.Add((byte)(value | 0x80));
            value >>= 7;
        }
        into.Add((byte)value);
    }

    public static bool TryRead(ref Span<byte> span, out ulong value)
    {
        value = 0;
        for (var i = 0; i < span.Length && i < 9; i++)
        {
            value |= (ulong)(span[i] & 0x7F) << (7 * i);
            if ((span[i] & 0x80) == 0)
            {
                span = span[(i + 1)..];
                return true;
            }
        }
        return false;
    }
}

/// <summary>RFC 4648 base32, lower case, no padding: the multibase 'b' alphabet.</summary>
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, c = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[c++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
            chars[c++] = Alphabet[(buffer << (5 - bits)) & 31];
        return new string(chars, 0, c);
    }

    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] data)
    {
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var ch in text)
        {
            var v = Alphabet.IndexOf(ch);
            if (v < 0) { data = []; return false; }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
            buffer &= (1 << bits) - 1;
        }
        data = [.. bytes];
        return true;
    }
}
