namespace MlAspire.Storage.Content;

/// <summary>One block of a chunked blob: its CID and bytes.</summary>
public sealed record ContentBlock(Cid Cid, ReadOnlyMemory<byte> Bytes);

/// <summary>A leaf a UnixFS root links, with the size the root declares for it.</summary>
public readonly record struct FileChunk(Cid Cid, long Size);

/// <summary>
/// A blob stored as IPFS stores a file: raw leaves of at most <see cref="ChunkSize"/> bytes under one DAG-PB UnixFS
/// root, byte for byte what <c>ipfs add --cid-version 1 --raw-leaves</c> builds with its default chunker, so the root's
/// CID is the same in every backend and for anyone who adds the same bytes, and <c>ipfs cat ROOT</c> returns the blob. A blob of one chunk is that raw leaf alone, as
/// <c>ipfs add</c> returns it. Roots come from other peers: <see cref="ReadRoot"/> accepts exactly what
/// <see cref="Build"/> writes and nothing it would not.
/// </summary>
public static class UnixFsFile
{
    /// <summary>
    /// Largest leaf: <c>ipfs add</c>'s default chunk (256 KiB), well inside the 1 MiB block bitswap moves whole and
    /// the 1 MiB request body js-ipfs accepts for block/put (a block of a full 1 MiB cannot be put there).
    /// </summary>
    public const int ChunkSize = 256 << 10;

    /// <summary>Links of one root (the balanced layout starts a second level past 174): blobs up to 43.5 MiB.</summary>
    public const int MaxChunks = 174;

    /// <summary>The largest blob one root holds.</summary>
    public const long MaxBytes = (long)MaxChunks * ChunkSize;

    private const int UnixFsFileType = 2;

    /// <summary>The root first, then the leaves in order; a blob of one chunk is its raw leaf alone.</summary>
    public static IReadOnlyList<ContentBlock> Build(ReadOnlyMemory<byte> content)
    {
        if (content.Length <= ChunkSize)
            return [new ContentBlock(Cid.Compute(ContentCodec.Raw, content.Span), content)];
        var chunks = (content.Length + ChunkSize - 1) / ChunkSize;
        if (chunks > MaxChunks)
            throw new ArgumentException($"{content.Length:N0} bytes need {chunks} chunks; one root links at most {MaxChunks} ({MaxBytes:N0} bytes).", nameof(content));
        var leaves = Enumerable.Range(0, chunks)
            .Select(i => content.Slice(i * ChunkSize, Math.Min(ChunkSize, content.Length - i * ChunkSize)))
            .Select(bytes => new ContentBlock(Cid.Compute(ContentCodec.Raw, bytes.Span), bytes))
            .ToList();
        var root = EncodeRoot(leaves.Select(l => new FileChunk(l.Cid, l.Bytes.Length)).ToList(), content.Length);
        return [new ContentBlock(Cid.Compute(ContentCodec.DagPb, root), root), .. leaves];
    }

    /// <summary>
    /// The leaves <paramref name="root"/> links, in order, checked against what <see cref="Build"/> would write for a
    /// blob of their total size: raw leaves, every chunk but the last exactly <see cref="ChunkSize"/>, sizes that agree,
    /// nothing else in the node, and at most <paramref name="maxBytes"/> in all.
    /// </summary>
    /// <exception cref="InvalidDataException">Anything else; the message says what.</exception>
    public static IReadOnlyList<FileChunk> ReadRoot(ReadOnlySpan<byte> root, long maxBytes)
    {
        var chunks = new List<FileChunk>();
        var reader = new ProtoReader(root);
        ReadOnlySpan<byte> data = default;
        while (!reader.AtEnd)
        {
            var field = reader.ReadLengthDelimited(out var value);
            if (field == 2 && data.IsEmpty)
            {
                if (chunks.Count == MaxChunks) throw Invalid($"more than {MaxChunks} links");
                chunks.Add(ReadLink(value));
            }
            else if (field == 1 && data.IsEmpty) data = value;
            else throw Invalid($"field {field} where links (2) then data (1) belong");
        }
        if (chunks.Count < 2) throw Invalid($"{chunks.Count} links; a chunked blob has at least 2");
        if (chunks.SkipLast(1).Any(c => c.Size != ChunkSize) || chunks[^1].Size is < 1 or > ChunkSize)
            throw Invalid($"chunks of {string.Join(", ", chunks.Select(c => c.Size))} bytes; all but the last must be {ChunkSize}");
        var total = chunks.Sum(c => c.Size); // at most MaxBytes now
        if (total > maxBytes) throw Invalid($"it declares {total:N0} bytes, more than the {maxBytes:N0} allowed");
        var canonical = EncodeRoot(chunks, total);
        if (!root.SequenceEqual(canonical)) throw Invalid("it is not the root this system writes for its links");
        return chunks;
    }

    private static FileChunk ReadLink(ReadOnlySpan<byte> link)
    {
        var reader = new ProtoReader(link);
        var hashField = reader.ReadLengthDelimited(out var hash);
        var nameField = reader.ReadLengthDelimited(out var name);
        var sizeField = reader.ReadVarint(out var size);
        if (hashField != 1 || nameField != 2 || name.Length != 0 || sizeField != 3 || !reader.AtEnd)
            throw Invalid("a link that is not a hash, an empty name and a size");
        if (!Cid.TryParse("b" + Base32.Encode(hash), out var cid, out var error) || cid.Codec != ContentCodec.Raw)
            throw Invalid($"a link to something other than a raw block ({(error.Length > 0 ? error : cid.Codec.ToString())})");
        return new FileChunk(cid, (long)Math.Min(size, long.MaxValue));
    }

    private static byte[] EncodeRoot(IReadOnlyList<FileChunk> chunks, long total)
    {
        var unixFs = new List<byte>();
        Field(unixFs, 1, UnixFsFileType);
        Field(unixFs, 3, (ulong)total);
        foreach (var chunk in chunks) Field(unixFs, 4, (ulong)chunk.Size);
        // DAG-PB's canonical order: every link (field 2), then the data (field 1).
        var node = new List<byte>();
        foreach (var chunk in chunks)
        {
            var link = new List<byte>();
            Bytes(link, 1, chunk.Cid.ToBytes());
            Bytes(link, 2, []);
            Field(link, 3, (ulong)chunk.Size);
            Bytes(node, 2, [.. link]);
        }
        Bytes(node, 1, [.. unixFs]);
        return [.. node];
    }

    private static void Field(List<byte> into, int field, ulong value)
    {
        Varint.Write(into, (ulong)(field << 3));
        Varint.Write(into, value);
    }

    private static void Bytes(List<byte> into, int field, byte[] value)
    {
        Varint.Write(into, (ulong)(field << 3 | 2));
        Varint.Write(into, (ulong)value.Length);
        into.AddRange(value);
    }

    private static InvalidDataException Invalid(string problem) => new($"Not a chunked blob's root: {problem}.");

    /// <summary>The few protobuf reads a root needs, every length checked against what is there.</summary>
    private ref struct ProtoReader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly bool AtEnd => _rest.IsEmpty;

        public int ReadLengthDelimited(out ReadOnlySpan<byte> value)
        {
            var key = Read();
            var length = Read();
            if ((key & 7) != 2 || length > (ulong)_rest.Length) throw Invalid("a malformed or truncated field");
            value = _rest[..(int)length];
            _rest = _rest[(int)length..];
            return (int)Math.Min(key >> 3, int.MaxValue);
        }

        public int ReadVarint(out ulong value)
        {
            var key = Read();
            if ((key & 7) != 0) throw Invalid("a malformed field");
            value = Read();
            return (int)Math.Min(key >> 3, int.MaxValue);
        }

        private ulong Read()
        {
            ulong value = 0;
            for (var i = 0; i < _rest.Length && i < 10; i++)
            {
                value |= (ulong)(_rest[i] & 0x7F) << (7 * i);
                if ((_rest[i] & 0x80) == 0)
                {
                    _rest = _rest[(i + 1)..];
                    return value;
                }
            }
            throw Invalid("a truncated number");
        }
    }
}
