using System.Text.Encodings.Web;
using System.Text.Json;

namespace MlAspire.Storage.Content;

/// <summary>
/// The pieces of canonical DAG-JSON every codec here shares: links written <c>{"/":cid}</c>, no whitespace, and a
/// decode that only accepts bytes which re-encode to themselves.
/// </summary>
internal static class DagJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>JSON nesting deeper than any document here: a hostile input cannot make the parser recurse further.</summary>
    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 8 };

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            write(writer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Parses <paramref name="bytes"/> with <paramref name="read"/> and checks that <paramref name="encode"/> gives the
    /// same bytes back; every structural problem is a <see cref="FormatException"/>, a non-canonical encoding a
    /// <see cref="NonCanonicalException"/>.
    /// </summary>
    public static T Decode<T>(ReadOnlySpan<byte> bytes, Func<JsonElement, T> read, Func<T, byte[]> encode, string what)
    {
        T value;
        try
        {
            using var json = JsonDocument.Parse(bytes.ToArray(), ReaderOptions);
            value = read(json.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw new FormatException($"{what} is not a valid document: {e.Message}", e);
        }
        if (!encode(value).AsSpan().SequenceEqual(bytes))
            throw new NonCanonicalException($"{what} is not in canonical DAG-JSON form.");
        return value;
    }

    public static void WriteLink(Utf8JsonWriter writer, string name, Cid cid)
    {
        writer.WritePropertyName(name);
        WriteLink(writer, cid);
    }

    public static void WriteLink(Utf8JsonWriter writer, Cid cid)
    {
        writer.WriteStartObject();
        writer.WriteString("/", cid.ToString());
        writer.WriteEndObject();
    }

    public static Cid ReadLink(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "link");
        return Cid.Parse(element.GetProperty("/").GetString() ?? "");
    }

    public static string ReadString(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new FormatException($"{name} is null");

    public static void Expect(JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
            throw new FormatException($"{what} must be a JSON {kind}, not {element.ValueKind}.");
    }
}

/// <summary>Well-formed, but not the one canonical encoding: a second byte string (so a second CID) for the same content.</summary>
public sealed class NonCanonicalException(string message) : FormatException(message);
