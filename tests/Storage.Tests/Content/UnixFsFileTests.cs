using MlAspire.Storage.Content;

namespace MlAspire.Storage.Tests.Content;

public sealed class UnixFsFileTests
{
    private static byte[] Blob(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void A_blob_of_one_chunk_is_its_raw_block_alone()
    {
        var blob = Blob(UnixFsFile.ChunkSize);
        var blocks = UnixFsFile.Build(blob);
        Assert.Equal(Cid.Compute(ContentCodec.Raw, blob), Assert.Single(blocks).Cid);
    }

    [Fact]
    public void A_larger_blob_is_a_dag_pb_root_over_raw_chunks_of_256_KiB_that_reassemble_it()
    {
        var blob = Blob(5 * UnixFsFile.ChunkSize / 2);
        var blocks = UnixFsFile.Build(blob);

        var root = blocks[0];
        Assert.Equal(ContentCodec.DagPb, root.Cid.Codec);
        Assert.True(root.Cid.Matches(root.Bytes.Span));
        var chunks = UnixFsFile.ReadRoot(root.Bytes.Span, maxBytes: 3 * UnixFsFile.ChunkSize);
        Assert.Equal([UnixFsFile.ChunkSize, UnixFsFile.ChunkSize, UnixFsFile.ChunkSize / 2], chunks.Select(c => c.Size));
        Assert.Equal(chunks.Select(c => c.Cid), blocks.Skip(1).Select(b => b.Cid));
        Assert.All(blocks.Skip(1), leaf => Assert.True(leaf.Cid.Codec == ContentCodec.Raw && leaf.Cid.Matches(leaf.Bytes.Span)));
        Assert.Equal(blob, blocks.Skip(1).SelectMany(b => b.Bytes.ToArray()).ToArray());
        Assert.Equal(root.Cid, UnixFsFile.Build(blob.ToArray())[0].Cid); // deterministic
    }

    [Fact]
    public void A_root_declaring_more_than_allowed_or_too_many_chunks_is_refused_before_any_chunk_is_fetched()
    {
        var root = UnixFsFile.Build(Blob(3 * UnixFsFile.ChunkSize))[0].Bytes.ToArray();
        Assert.Contains("more than the", Assert.Throws<InvalidDataException>(() => UnixFsFile.ReadRoot(root, 3 * UnixFsFile.ChunkSize - 1)).Message);
        Assert.Throws<ArgumentException>(() => UnixFsFile.Build(new byte[UnixFsFile.MaxChunks * UnixFsFile.ChunkSize + 1]));
    }

    [Fact]
    public void A_changed_root_is_refused_with_invalid_data_or_is_a_root_of_other_chunks_of_the_same_sizes()
    {
        var root = UnixFsFile.Build(Blob(2 * UnixFsFile.ChunkSize + 10))[0].Bytes.ToArray();
        var random = new Random(5);
        for (var trial = 0; trial < 3000; trial++)
        {
            var mutated = (byte[])root.Clone();
            switch (trial % 3)
            {
                case 0: mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1: mutated = mutated[..random.Next(mutated.Length)]; break;
                default: mutated = [.. mutated, (byte)random.Next(256)]; break;
            }
            try
            {
                var chunks = UnixFsFile.ReadRoot(mutated, 1 << 30);
                // Only a flipped bit inside a link's digest still makes a root: of other chunks, of the same sizes.
                Assert.True(trial % 3 == 0, $"Trial {trial}: a truncated or extended root was accepted.");
                Assert.Equal([UnixFsFile.ChunkSize, UnixFsFile.ChunkSize, 10], chunks.Select(c => c.Size));
            }
            catch (InvalidDataException)
            {
            }
        }
    }
}
