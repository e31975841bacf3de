using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MlAspire.Storage.Content;
using MlAspire.Tangle.Dag;

namespace MlAspire.Storage.Transactions;

/// <summary>
/// Canonical DAG-JSON for <see cref="TransactionDocument"/>: no whitespace, keys in a fixed order, numbers that are
/// not integers written as strings (DAG-JSON float encodings differ between implementations). Every key of a map has
/// the same length or sorts the same length-first and bytewise, so the bytes are canonical under both orderings IPLD
/// codecs use, and IPFS re-encodes them to the same bytes, hence the same CID.
/// </summary>
/// <remarks>
/// Layout: <c>{"payload":{"created":…,"creator":{"id":…,"key":…},"genesis":{"/":…},"metrics":{"acc":…,"loss":…,"samples":…},"parents":[{"/":…}],"version":1,"weights":{"/":…}},"signature":…}</c>.
/// </remarks>
public static class TransactionCodec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static byte[] Encode(TransactionDocument document) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WritePropertyName("payload");
        WritePayload(writer, document);
        writer.WriteString("signature", document.Signature);
        writer.WriteEndObject();
    });

    /// <summary>The bytes the signature covers: the payload map alone.</summary>
    public static byte[] EncodePayload(TransactionDocument document) => Write(writer => WritePayload(writer, document));

    /// <summary>Parses and checks structure and canonical form; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static TransactionDocument Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > TransactionDocument.MaxEncodedBytes)
            throw new FormatException($"Transaction is {bytes.Length} bytes; at most {TransactionDocument.MaxEncodedBytes} are accepted.");
        TransactionDocument document;
        try
        {
            using var json = JsonDocument.Parse(bytes.ToArray());
            document = Read(json.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new FormatException($"Transaction is not a valid document: {e.Message}", e);
        }
        if (!Encode(document).AsSpan().SequenceEqual(bytes))
            throw new FormatException("Transaction is not in canonical DAG-JSON form.");
        return document;
    }

    private static void WritePayload(Utf8JsonWriter writer, TransactionDocument d)
    {
        writer.WriteStartObject();
        writer.WriteNumber("created", d.CreatedAt);
        writer.WriteStartObject("creator");
        writer.WriteString("id", d.CreatorId);
        writer.WriteString("key", d.CreatorKey);
        writer.WriteEndObject();
        if (d.Genesis is { } genesis)
        {
            writer.WritePropertyName("genesis");
            WriteLink(writer, genesis);
        }
        writer.WriteStartObject("metrics");
        writer.WriteString("acc", Number(d.Metrics.LocalAccuracy));
        writer.WriteString("loss", Number(d.Metrics.LocalLoss));
        writer.WriteNumber("samples", d.Metrics.SampleCount);
        writer.WriteEndObject();
        writer.WriteStartArray("parents");
        foreach (var parent in d.Parents)
            WriteLink(writer, parent);
        writer.WriteEndArray();
        writer.WriteNumber("version", TransactionDocument.Version);
        writer.WritePropertyName("weights");
        WriteLink(writer, d.Weights);
        writer.WriteEndObject();
    }

    private static TransactionDocument Read(JsonElement root)
    {
        Expect(root, JsonValueKind.Object, "document");
        var payload = root.GetProperty("payload");
        Expect(payload, JsonValueKind.Object, "payload");
        var version = payload.GetProperty("version").GetInt32();
        if (version != TransactionDocument.Version)
            throw new FormatException($"Unsupported transaction version {version}.");
        var creator = payload.GetProperty("creator");
        var metrics = payload.GetProperty("metrics");
        var parents = payload.GetProperty("parents");
        Expect(parents, JsonValueKind.Array, "parents");
        return new TransactionDocument(
            payload.TryGetProperty("genesis", out var genesis) ? ReadLink(genesis) : null,
            parents.EnumerateArray().Select(ReadLink).ToList(),
            ReadLink(payload.GetProperty("weights")),
            creator.GetProperty("id").GetString() ?? throw new FormatException("creator id is null"),
            creator.GetProperty("key").GetString() ?? throw new FormatException("creator key is null"),
            payload.GetProperty("created").GetInt64(),
            new TransactionMetrics(
                ParseNumber(metrics.GetProperty("loss").GetString()),
                ParseNumber(metrics.GetProperty("acc").GetString()),
                metrics.GetProperty("samples").GetInt32()),
            root.GetProperty("signature").GetString() ?? throw new FormatException("signature is null"));
    }

    private static void WriteLink(Utf8JsonWriter writer, Cid cid)
    {
        writer.WriteStartObject();
        writer.WriteString("/", cid.ToString());
        writer.WriteEndObject();
    }

    private static Cid ReadLink(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "link");
        return Cid.Parse(element.GetProperty("/").GetString() ?? "");
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double ParseNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"'{text}' is not a number.");

    private static void Expect(JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
            throw new FormatException($"{what} must be a JSON {kind}, not {element.ValueKind}.");
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer);
        return buffer.ToArray();
    }
}
