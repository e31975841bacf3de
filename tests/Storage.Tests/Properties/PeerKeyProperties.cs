using CsCheck;
using MlAspire.Storage.Transactions;
using MlAspire.Tests.Shared;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>
/// Keys and signatures as other peers write them: <see cref="StrictBase64.Decode"/> accepts exactly one text per byte
/// string, <see cref="PeerKey.Verify"/> never throws, <see cref="PeerKey.IdOf"/> throws only <see cref="FormatException"/>.
/// </summary>
public sealed class PeerKeyProperties
{
    private static readonly PeerKey Signer = PeerKey.Create();
    private static readonly byte[] Data = "payload"u8.ToArray();
    private static readonly string Signature = Signer.SignToText(Data);

    private static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);

    /// <summary>Base64 of anything, the valid key and signature mutated at the byte level, loose base64, any text.</summary>
    private static readonly Gen<string> KeyOrSignatureText = Gen.OneOf(
        Gen.Byte.Array[0, 100].Select(Base64),
        Mutations.Of(Gen.Const(Convert.FromBase64String(Signer.PublicKey))).Select(Base64),
        Mutations.Of(Gen.Const(Convert.FromBase64String(Signature))).Select(Base64),
        Mutations.One(System.Text.Encoding.ASCII.GetBytes(Signer.PublicKey)).Select(System.Text.Encoding.Latin1.GetString),
        Mutations.One(System.Text.Encoding.ASCII.GetBytes(Signature)).Select(System.Text.Encoding.Latin1.GetString),
        Gen.Char["AQgw+/=\n "].Array[0, 12].Select(chars => new string(chars)),
        Gen.String);

    [Fact]
    public void Strict_base64_decodes_exactly_the_one_text_of_non_empty_bytes() =>
        Gen.Byte.Array[1, 100].Sample(bytes => Assert.Equal(bytes, StrictBase64.Decode(Base64(bytes))), iter: 1000);

    [Fact]
    public void Strict_base64_refuses_every_other_text_without_throwing() =>
        KeyOrSignatureText.Sample(text =>
        {
            byte[]? bytes = null;
            HostileInput.Decodes<NeverThrown>(() => bytes = StrictBase64.Decode(text));
            if (bytes is not null)
                Assert.Equal(text, Base64(bytes));
        }, iter: 3000);

    [Fact]
    public void Verify_never_throws_and_accepts_only_the_signers_own_key_and_signature() =>
        Gen.Select(Gen.OneOf(Gen.Const(Signer.PublicKey), KeyOrSignatureText), Gen.OneOf(Gen.Const(Signature), KeyOrSignatureText)).Sample((key, signature) =>
        {
            var check = PeerKey.Check.Invalid;
            HostileInput.Decodes<NeverThrown>(() => check = PeerKey.Verify(key, Data, signature));
            if (check == PeerKey.Check.Valid)
                Assert.Equal((Signer.PublicKey, Signature), (key, signature));
        }, iter: 2000);

    [Fact]
    public void A_key_verifies_under_its_one_encoding_only()
    {
        // The bit string's unused-bits byte is 0 in the canonical encoding; when the point's last byte ends in zero bits,
        // claiming them unused still imported the same point (CsCheck seed 2ZEcu4iYi0j1, a key ending in 0xE0 read
        // with 5 unused bits): a second text for one key, so a second identity for one signer.
        var signer = PeerKey.Create();
        while (Convert.FromBase64String(signer.PublicKey)[^1] % 2 != 0)
            signer = PeerKey.Create();
        var spki = Convert.FromBase64String(signer.PublicKey);
        var unusedBits = spki.Length - 66;
        Assert.Equal((0, 0x04), (spki[unusedBits], spki[unusedBits + 1]));
        spki[unusedBits] = 1;
        Assert.NotEqual(PeerKey.Check.Valid, PeerKey.Verify(Convert.ToBase64String(spki), Data, signer.SignToText(Data)));
    }

    [Fact]
    public void Ids_are_derived_from_strict_keys_only() =>
        KeyOrSignatureText.Sample(key =>
        {
            string? id = null;
            var derived = HostileInput.Decodes<FormatException>(() => id = PeerKey.IdOf(key));
            Assert.Equal(derived, StrictBase64.Decode(key) is not null);
            Assert.Equal(derived, PeerKey.TryIdOf(key, out var tried));
            Assert.Equal(id ?? "", tried);
        }, iter: 2000);

    [Fact]
    public void A_key_on_a_curve_the_platform_does_not_know_is_invalid_not_an_exception()
    {
        // Regression: the P-256 curve OID 1.2.840.10045.3.1.7 with one byte flipped (…55.1.7) made
        // ImportSubjectPublicKeyInfo throw PlatformNotSupportedException out of Verify.
        var key = Signer.PublicKey.Replace("KoZIzj0DAQc", "KoZIzj03AQc", StringComparison.Ordinal);
        Assert.NotEqual(Signer.PublicKey, key);
        Assert.Equal(PeerKey.Check.Invalid, PeerKey.Verify(key, Data, Signature));
    }

    // Decode copies the bytes once (3/4 n) and writes them back as text to compare (2n): 4 bytes per character bound it.
    [Fact]
    public void Strict_base64_allocates_at_most_4_bytes_per_character_plus_256() =>
        Gen.OneOf(KeyOrSignatureText, Gen.Byte.Array[0, 3000].Select(Base64)).Sample(text =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => StrictBase64.Decode(text));
            HostileInput.AssertAllocationWithin(allocated, text.Length, 4, 256, "StrictBase64.Decode");
        }, iter: 1000, threads: 1);

    /// <summary>For decoders documented never to throw: every exception escapes <see cref="HostileInput.Decodes{T}"/>.</summary>
    private sealed class NeverThrown : Exception;
}
