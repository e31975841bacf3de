using System.Text;
using System.Text.Json;
using CsCheck;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>
/// Structure-aware mutations of a valid JSON document, which reach past the parser into the reading code: a value
/// replaced by one of another type (or a huge number, a deep nest, a lone surrogate), a member duplicated or dropped,
/// a character written as a \u escape, whitespace between tokens.
/// </summary>
public static class JsonMutations
{
    /// <summary>Values of every JSON type, and the corner cases of each.</summary>
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-0", "1", "-1", "1.0", "1e0", "1.5", "1e400", "-1e400", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
        "\"\"", "\"x\"", "\"NaN\"", "\"Infinity\"", "\"-0\"", "\"1e400\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"é\"",
        "[]", "{}", "[1,2]", "{\"/\":\"b\"}", "{\"/\":null}", "[{\"/\":\"b\"}]",
        $"{{\"/\":\"{Cid.Compute(ContentCodec.Raw, "w"u8)}\"}}", $"[{{\"/\":\"{Cid.Compute(ContentCodec.DagJson, "t"u8)}\"}}]",
        new string('[', 64) + new string(']', 64),
        string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40),
    ];

    /// <summary>
    /// JSON of any shape (up to <paramref name="depth"/> deep) whose keys are the decoder's own, so that it gets past
    /// the parser to the reading code far more often than random bytes do.
    /// </summary>
    public static Gen<byte[]> Arbitrary(string[] keys, int depth = 4) => Value(keys, depth).Select(Encoding.UTF8.GetBytes);

    private static Gen<string> Value(string[] keys, int depth)
    {
        var scalar = Gen.Int[0, Values.Length - 1].Select(i => Values[i]);
        if (depth == 0)
            return scalar;
        var inner = Value(keys, depth - 1);
        var member = Gen.Select(Gen.Int[0, keys.Length - 1], inner, (k, value) => $"\"{keys[k]}\":{value}");
        return Gen.Frequency(
            (2, scalar),
            (3, member.Array[0, 6].Select(members => "{" + string.Join(',', members) + "}")),
            (1, inner.Array[0, 3].Select(items => "[" + string.Join(',', items) + "]")));
    }

    private static readonly string[] Whitespace = [" ", "\n", "\t", "\r", "\u00a0"];

    /// <summary>One structural mutation of <paramref name="json"/> (UTF-8; spans below are byte offsets).</summary>
    public static Gen<byte[]> Of(byte[] json)
    {
        var (values, members, strings, boundaries) = Scan(json);
        return Gen.OneOf(
            Gen.Select(Gen.Int[0, values.Count - 1], Gen.Int[0, Values.Length - 1], (v, r) => Splice(json, values[v], Utf8(Values[r]))),
            Gen.Int[0, members.Count - 1].Select(m => Splice(json, new Span(members[m].End, members[m].End), [(byte)',', .. Slice(json, members[m])])),
            Gen.Int[0, members.Count - 1].Select(m => Drop(json, members[m])),
            Gen.Select(Gen.Int[0, strings.Count - 1], Gen.Int[0, 1000], (s, offset) => Escape(json, strings[s], offset)),
            Gen.Select(Gen.Int[0, boundaries.Count - 1], Gen.Int[0, Whitespace.Length - 1], (b, w) => Splice(json, new Span(boundaries[b], boundaries[b]), Utf8(Whitespace[w]))));
    }

    private readonly record struct Span(int Start, int End);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Spans of every value, member ("name":value) and string token's content, and every token boundary.</summary>
    private static (List<Span> Values, List<Span> Members, List<Span> Strings, List<int> Boundaries) Scan(byte[] json)
    {
        List<Span> values = [], members = [], strings = [];
        List<int> boundaries = [];
        var opened = new Stack<(int Start, int? MemberStart)>();
        int? memberStart = null;
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            var start = (int)reader.TokenStartIndex;
            boundaries.Add(start);
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    memberStart = start;
                    strings.Add(new Span(start + 1, (int)reader.BytesConsumed - 1));
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    opened.Push((start, memberStart));
                    memberStart = null;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    var (open, member) = opened.Pop();
                    Close(open, (int)reader.BytesConsumed, member);
                    break;
                default:
                    if (reader.TokenType == JsonTokenType.String)
                        strings.Add(new Span(start + 1, (int)reader.BytesConsumed - 1));
                    Close(start, (int)reader.BytesConsumed, memberStart);
                    memberStart = null;
                    break;
            }
        }
        boundaries.Add(json.Length);
        return (values, members, strings, boundaries);

        void Close(int start, int end, int? member)
        {
            values.Add(new Span(start, end));
            if (member is { } m)
                members.Add(new Span(m, end));
        }
    }

    private static byte[] Slice(byte[] json, Span span) => json[span.Start..span.End];

    private static byte[] Splice(byte[] json, Span span, byte[] replacement) => [.. json[..span.Start], .. replacement, .. json[span.End..]];

    /// <summary>The member and the comma that separates it from a neighbour, so the rest stays well formed.</summary>
    private static byte[] Drop(byte[] json, Span member) =>
        member.End < json.Length && json[member.End] == ','
            ? Splice(json, member with { End = member.End + 1 }, [])
            : member.Start > 0 && json[member.Start - 1] == ','
                ? Splice(json, member with { Start = member.Start - 1 }, [])
                : Splice(json, member, []);

    /// <summary>One ASCII character of a string written as \uXXXX: the same string, in another encoding.</summary>
    private static byte[] Escape(byte[] json, Span content, int offset)
    {
        if (content.End <= content.Start)
            return json;
        var at = content.Start + offset % (content.End - content.Start);
        return json[at] is >= 0x80 or (byte)'\\' || json[at - 1] == '\\' ? json : Splice(json, new Span(at, at + 1), Utf8($"\\u{json[at]:x4}"));
    }
}
