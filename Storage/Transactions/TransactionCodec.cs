using System.Globalization;
using System.Text.Json;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Tangle.Dag;

namespace MlAspire.Storage.Transactions;

/// <summary>
/// Canonical DAG-JSON for <see cref="TransactionDocument"/>: no whitespace, keys in a fixed order, numbers that are
/// not integers written as strings (DAG-JSON float encodings differ between implementations). Every key of a map has
/// the same length or sorts the same length-first and bytewise, so the bytes are canonical under both orderings IPLD
/// codecs use, and IPFS re-encodes them to the same bytes, hence the same CID.
/// </summary>
/// <remarks>
/// Layout: <c>{"payload":{"created":…,"creator":{"id":…,"key":…,"membership":CREDENTIAL},"genesis":{"/":…},"metrics":{"acc":…,"loss":…,"samples":…},"parents":[{"/":…}],"version":1,"weights":{"/":…}},"signature":…}</c>,
/// where CREDENTIAL is a <see cref="MembershipCredential"/> (absent in genesis only).
/// </remarks>
public static class TransactionCodec
{
    public static byte[] Encode(TransactionDocument document) => DagJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WritePropertyName("payload");
        WritePayload(writer, document);
        writer.WriteString("signature", document.Signature);
        writer.WriteEndObject();
    });

    /// <summary>The bytes the signature covers: the payload map alone.</summary>
    public static byte[] EncodePayload(TransactionDocument document) => DagJson.Write(writer => WritePayload(writer, document));

    /// <summary>
    /// Parses and checks structure and canonical form; throws <see cref="FormatException"/> saying what is wrong
    /// (<see cref="NonCanonicalException"/> when the bytes are well formed but not the canonical encoding).
    /// </summary>
    public static TransactionDocument Decode(ReadOnlySpan<byte> bytes) =>
        bytes.Length > TransactionDocument.MaxEncodedBytes
            ? throw new FormatException($"Transaction is {bytes.Length} bytes; at most {TransactionDocument.MaxEncodedBytes} are accepted.")
            : DagJson.Decode(bytes, Read, Encode, "Transaction");

    private static void WritePayload(Utf8JsonWriter writer, TransactionDocument d)
    {
        writer.WriteStartObject();
        writer.WriteNumber("created", d.CreatedAt);
        writer.WriteStartObject("creator");
        writer.WriteString("id", d.CreatorId);
        writer.WriteString("key", d.CreatorKey);
        if (d.Membership is { } membership)
        {
            writer.WritePropertyName("membership");
            membership.Write(writer);
        }
        writer.WriteEndObject();
        if (d.Genesis is { } genesis)
            DagJson.WriteLink(writer, "genesis", genesis);
        writer.WriteStartObject("metrics");
        writer.WriteString("acc", Number(d.Metrics.LocalAccuracy));
        writer.WriteString("loss", Number(d.Metrics.LocalLoss));
        writer.WriteNumber("samples", d.Metrics.SampleCount);
        writer.WriteEndObject();
        writer.WriteStartArray("parents");
        foreach (var parent in d.Parents)
            DagJson.WriteLink(writer, parent);
        writer.WriteEndArray();
        writer.WriteNumber("version", TransactionDocument.Version);
        DagJson.WriteLink(writer, "weights", d.Weights);
        writer.WriteEndObject();
    }

    private static TransactionDocument Read(JsonElement root)
    {
        DagJson.Expect(root, JsonValueKind.Object, "document");
        var payload = root.GetProperty("payload");
        DagJson.Expect(payload, JsonValueKind.Object, "payload");
        var version = payload.GetProperty("version").GetInt32();
        if (version != TransactionDocument.Version)
            throw new FormatException($"Unsupported transaction version {version}.");
        var creator = payload.GetProperty("creator");
        DagJson.Expect(creator, JsonValueKind.Object, "creator");
        var metrics = payload.GetProperty("metrics");
        var parents = payload.GetProperty("parents");
        DagJson.Expect(parents, JsonValueKind.Array, "parents");
        if (parents.GetArrayLength() > TransactionDocument.MaxParentLinks)
            throw new FormatException($"Transaction links {parents.GetArrayLength()} parents; at most {TransactionDocument.MaxParentLinks} are read.");
        return new TransactionDocument(
            payload.TryGetProperty("genesis", out var genesis) ? DagJson.ReadLink(genesis) : null,
            parents.EnumerateArray().Select(DagJson.ReadLink).ToList(),
            DagJson.ReadLink(payload.GetProperty("weights")),
            DagJson.ReadString(creator, "id"),
            DagJson.ReadString(creator, "key"),
            payload.GetProperty("created").GetInt64(),
            new TransactionMetrics(
                ParseNumber(metrics.GetProperty("loss").GetString()),
                ParseNumber(metrics.GetProperty("acc").GetString()),
                metrics.GetProperty("samples").GetInt32()),
            DagJson.ReadString(root, "signature"),
            creator.TryGetProperty("membership", out var membership) ? MembershipCredential.Read(membership) : null);
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double ParseNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"'{text}' is not a number.");
}
