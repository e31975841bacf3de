using CsCheck;
using MlAspire.Storage.Content;
using MlAspire.Tests.Shared;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>
/// <see cref="Cid.TryParse"/> and <see cref="Cid.Parse"/> on CID text from other peers (announcements, requests, links):
/// TryParse never throws, Parse throws only <see cref="FormatException"/>, and a CID has one text.
/// </summary>
public sealed class CidProperties
{
    private static readonly Gen<Cid> Cids = Gen.Select(Gen.OneOf(Gen.Const(ContentCodec.Raw), Gen.Const(ContentCodec.DagJson)), Gen.Byte.Array[32], (codec, digest) => new Cid(codec, digest));

    /// <summary>Text near CIDs: base32 of arbitrary bytes, of CID bytes with a varint or the length off, any characters.</summary>
    private static readonly Gen<string> CidLike = Gen.OneOf(
        Gen.Byte.Array[0, 48].Select(bytes => "b" + Base32.Encode(bytes)),
        Cids.Select(cid => cid.ToString()).SelectMany(text => Mutations.One(System.Text.Encoding.ASCII.GetBytes(text)).Select(System.Text.Encoding.Latin1.GetString)),
        Gen.String,
        Gen.Char["bafkreiguqeAZ27=!"].Array[0, 70].Select(chars => new string(chars)));

    private static void ParsesCanonicallyOrRefuses(string text)
    {
        if (Cid.TryParse(text, out var cid, out var error))
        {
            Assert.Equal(text, cid.ToString());
            Assert.Equal(cid, Cid.Parse(text));
        }
        else
        {
            Assert.NotEmpty(error);
            Assert.False(HostileInput.Decodes<FormatException>(() => Cid.Parse(text)));
        }
    }

    [Fact]
    public void Any_text_parses_to_the_cid_it_is_the_one_text_of_or_is_refused() =>
        CidLike.Sample(ParsesCanonicallyOrRefuses, iter: 5000);

    [Fact]
    public void Cids_round_trip_through_their_text() =>
        Cids.Sample(cid => Assert.Equal(cid, Cid.Parse(cid.ToString())), iter: 1000);

    [Fact]
    public void A_second_spelling_of_a_cid_is_refused()
    {
        // Regression: base32 with stray bits in its last character, a trailing character that adds no whole byte, and
        // non-minimal varints all decoded to the same CID as its one text.
        var cid = Cid.Compute(ContentCodec.Raw, "hello world"u8);
        var text = cid.ToString();
        var strayBits = text[..^1] + Base32Alphabet[Base32Alphabet.IndexOf(text[^1]) | 1]; // 36 bytes leave 2 unused bits in the last character
        var nonMinimalVersion = "b" + Base32.Encode([0x81, 0x00, .. cid.ToBytes()[1..]]);
        foreach (var spelling in new[] { strayBits, text + "a", nonMinimalVersion })
        {
            Assert.NotEqual(text, spelling);
            Assert.False(Cid.TryParse(spelling, out _, out _), spelling);
        }
    }

    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    // Base32 decoding keeps a list of n·5/8 bytes and copies it; the digest is copied once more. 4 bytes per character
    // bound that (a character is 2 bytes of the string already held); the refusal message is cut to 80 characters.
    [Fact]
    public void Parsing_allocates_at_most_4_bytes_per_character_plus_2_KiB()
    {
        HostileInput.WarmUp<FormatException>(b => Cid.Parse(System.Text.Encoding.Latin1.GetString(b)), [], [.. "bxyz"u8]);
        Gen.OneOf(CidLike, Gen.Char['a', 'z'].Array[0, 4000].Select(chars => "b" + new string(chars))).Sample(text =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => HostileInput.Decodes<FormatException>(() => Cid.Parse(text)));
            HostileInput.AssertAllocationWithin(allocated, text.Length, 4, 2048, "Cid.Parse");
        }, iter: 1000, threads: 1);
    }
}
