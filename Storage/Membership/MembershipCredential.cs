using System.Text.Json;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Storage.Membership;

/// <summary>
/// What the Bootstrap grants one member of one tangle, for a while.
/// </summary>
/// <param name="Subject">The member's peer id (the hash of its public key).</param>
/// <param name="Created">Unix milliseconds, Bootstrap clock: the grant is valid from here…</param>
/// <param name="Expires">…to here.</param>
/// <param name="Samples">
/// The most training samples the member's transactions may be weighted by: the size of the data the Bootstrap assigned
/// it. A larger claim is capped to this, so nobody outweighs others by saying it trained on more.
/// </param>
/// <param name="Publish">False for observers (the Visualization): they may read replicas but not publish.</param>
public sealed record MembershipGrant(Cid Genesis, string Subject, long Created, long Expires, int Samples, bool Publish);

/// <summary>
/// A membership credential: a grant signed by the Bootstrap's key, the key that signed the genesis. Anyone holding the
/// genesis can check it offline; transactions carry their creator's, so every replica checks membership the same way.
/// </summary>
/// <remarks>
/// Canonical DAG-JSON: <c>{"grant":{"created":…,"expires":…,"genesis":{"/":…},"publish":…,"samples":…,"subject":…},"signature":…}</c>.
/// Every key of the grant has seven letters, so length-first and bytewise key orders agree, as in transactions.
/// </remarks>
public sealed record MembershipCredential(MembershipGrant Grant, string Signature)
{
    /// <summary>Encoded credentials larger than this are refused before parsing.</summary>
    public const int MaxEncodedBytes = 1024;

    public static MembershipCredential Issue(MembershipGrant grant, PeerKey issuer) => new(grant, issuer.SignToText(EncodeGrant(grant)));

    public byte[] Encode() => DagJson.Write(Write);

    public static MembershipCredential Decode(ReadOnlySpan<byte> bytes) =>
        bytes.Length > MaxEncodedBytes
            ? throw new FormatException($"Credential is {bytes.Length} bytes; at most {MaxEncodedBytes} are accepted.")
            : DagJson.Decode(bytes, Read, c => c.Encode(), "Credential");

    public static byte[] EncodeGrant(MembershipGrant grant) => DagJson.Write(writer => WriteGrant(writer, grant));

    /// <summary>
    /// Whether the Bootstrap whose key is <paramref name="issuerKey"/> granted <paramref name="subject"/> membership of
    /// <paramref name="genesis"/> at <paramref name="atMs"/> (± <paramref name="skew"/>).
    /// </summary>
    public CredentialCheck Check(string issuerKey, Cid genesis, string subject, long atMs, TimeSpan skew)
    {
        var signature = PeerKey.Verify(issuerKey, EncodeGrant(Grant), Signature);
        if (signature == PeerKey.Check.NonCanonical) return CredentialCheck.NonCanonical;
        if (signature != PeerKey.Check.Valid) return CredentialCheck.NotIssued;
        if (!Grant.Genesis.Equals(genesis) || Grant.Subject != subject) return CredentialCheck.NotIssued;
        // In 128 bits: a validity reaching to either end of a long must not wrap around when widened by the skew.
        var slack = (Int128)(long)skew.TotalMilliseconds;
        return atMs < Grant.Created - slack || atMs > Grant.Expires + slack ? CredentialCheck.OutsideValidity : CredentialCheck.Valid;
    }

    internal void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("grant");
        WriteGrant(writer, Grant);
        writer.WriteString("signature", Signature);
        writer.WriteEndObject();
    }

    internal static MembershipCredential Read(JsonElement element)
    {
        DagJson.Expect(element, JsonValueKind.Object, "credential");
        var grant = element.GetProperty("grant");
        DagJson.Expect(grant, JsonValueKind.Object, "grant");
        return new MembershipCredential(
            new MembershipGrant(
                DagJson.ReadLink(grant.GetProperty("genesis")),
                DagJson.ReadString(grant, "subject"),
                grant.GetProperty("created").GetInt64(),
                grant.GetProperty("expires").GetInt64(),
                grant.GetProperty("samples").GetInt32(),
                grant.GetProperty("publish").GetBoolean()),
            DagJson.ReadString(element, "signature"));
    }

    private static void WriteGrant(Utf8JsonWriter writer, MembershipGrant grant)
    {
        writer.WriteStartObject();
        writer.WriteNumber("created", grant.Created);
        writer.WriteNumber("expires", grant.Expires);
        DagJson.WriteLink(writer, "genesis", grant.Genesis);
        writer.WriteBoolean("publish", grant.Publish);
        writer.WriteNumber("samples", grant.Samples);
        writer.WriteString("subject", grant.Subject);
        writer.WriteEndObject();
    }
}

public enum CredentialCheck { Valid, NotIssued, OutsideValidity, NonCanonical }
