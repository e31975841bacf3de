using CsCheck;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Tests.Shared;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>
/// <see cref="MembershipCredential.Decode"/> (credentials arrive in call headers and inside transactions) and
/// <see cref="MembershipCredential.Check"/>: a canonical credential or a <see cref="FormatException"/>; a check that
/// never throws and accepts an issued credential anywhere in its validity, however wide.
/// </summary>
public sealed class MembershipCredentialProperties : IDisposable
{
    private static readonly string[] Keys = ["grant", "created", "expires", "genesis", "publish", "samples", "subject", "signature", "/"];
    private static readonly Gen<byte[]> Encoded = TransactionGen.Credential.Select(c => c.Encode());

    private readonly TestTangle _tangle = new();

    public void Dispose() => _tangle.Dispose();

    private static void DecodesCanonicallyOrRejects(byte[] bytes)
    {
        MembershipCredential? decoded = null;
        if (HostileInput.Decodes<FormatException>(() => decoded = MembershipCredential.Decode(bytes)))
            Assert.Equal(bytes, decoded!.Encode());
    }

    [Fact]
    public void Arbitrary_and_mutated_input_decodes_canonically_or_raises_FormatException() =>
        Gen.OneOf(Gen.Byte.Array[0, 300], JsonMutations.Arbitrary(Keys), Mutations.Of(Encoded), Encoded.SelectMany(JsonMutations.Of))
            .Sample(DecodesCanonicallyOrRejects, iter: 2000);

    [Fact]
    public void Generated_credentials_round_trip_byte_for_byte() =>
        TransactionGen.Credential.Sample(credential =>
        {
            var bytes = credential.Encode();
            Assert.Equal(credential, MembershipCredential.Decode(bytes));
        }, iter: 500);

    // As for transactions (the same DagJson.Decode): 64 bytes per input byte and 16 KiB; over 1 KiB, the constant alone.
    [Fact]
    public void Decoding_allocates_at_most_64_bytes_per_input_byte_plus_16_KiB_and_nothing_per_byte_over_1_KiB()
    {
        HostileInput.WarmUp<FormatException>(b => MembershipCredential.Decode(b), [], [.. "{}"u8], Encoded.Single(), new byte[2000]);
        Gen.OneOf(Gen.Byte.Array[0, 300], JsonMutations.Arbitrary(Keys), Mutations.Of(Encoded), Encoded, Gen.Int[1025, 50_000].Select(n => new byte[n])).Sample(bytes =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => HostileInput.Decodes<FormatException>(() => MembershipCredential.Decode(bytes)));
            var perByte = bytes.Length > MembershipCredential.MaxEncodedBytes ? 0 : 64;
            HostileInput.AssertAllocationWithin(allocated, bytes.Length, perByte, 16 * 1024, "MembershipCredential.Decode");
        }, iter: 1000, threads: 1);
    }

    /// <summary>Credentials issued by the tangle's Bootstrap, valid from and to any instants (to the ends of a long), and an instant inside.</summary>
    private Gen<(MembershipCredential Credential, string Subject, long At)> Issued() =>
        Gen.Select(TransactionGen.Longs(), TransactionGen.Longs(), TransactionGen.Ints, Gen.Bool)
            .Select((a, b, samples, publish) => (From: Math.Min(a, b), To: Math.Max(a, b), samples, publish))
            .SelectMany(v => TransactionGen.Longs(v.From, v.To).Select(at =>
                (_tangle.Credential(_tangle.Bootstrap, v.samples, v.publish, v.From, v.To), _tangle.Bootstrap.Id, at)));

    [Fact]
    public void An_issued_credential_is_valid_anywhere_in_its_validity_however_wide() =>
        Issued().Sample((credential, subject, at) =>
            Assert.Equal(CredentialCheck.Valid, credential.Check(_tangle.Bootstrap.PublicKey, _tangle.Genesis, subject, at, TimeSpan.FromMinutes(1))), iter: 300);

    [Fact]
    public void A_credential_valid_to_the_end_of_time_is_valid_now()
    {
        // Regression: Expires + skew wrapped around to a negative instant (and Created − skew to a positive one), so a
        // credential valid to long.MaxValue (or from long.MinValue) was outside its validity at every instant.
        var forever = _tangle.Credential(_tangle.Bootstrap, created: long.MinValue, expires: long.MaxValue);
        foreach (var at in new[] { long.MinValue, 0, TestTangle.GenesisTime, long.MaxValue })
            Assert.Equal(CredentialCheck.Valid, forever.Check(_tangle.Bootstrap.PublicKey, _tangle.Genesis, _tangle.Bootstrap.Id, at, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Checking_any_credential_against_anything_never_throws() =>
        Gen.Select(Gen.OneOf(TransactionGen.Credential, Issued().Select(i => i.Credential)), TransactionGen.Longs(), Gen.Long[0, long.MaxValue], Gen.OneOf(Gen.Const(_tangle.Bootstrap.PublicKey), TransactionGen.Text))
            .Sample((credential, at, skewTicks, issuer) =>
            {
                var check = credential.Check(issuer, _tangle.Genesis, _tangle.Bootstrap.Id, at, TimeSpan.FromTicks(skewTicks));
                Assert.True(Enum.IsDefined(check));
            }, iter: 500);
}
