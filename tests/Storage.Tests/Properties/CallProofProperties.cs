using System.Buffers.Text;
using CsCheck;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tests.Shared;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>
/// The membership headers of a TangleSync call, read from any caller: <see cref="CallProof.TryParse"/> and
/// <see cref="CallProof.Check"/> and <see cref="MemberCallHeaders.Check"/> never throw, whatever text and clocks.
/// </summary>
public sealed class CallProofProperties : IDisposable
{
    private const string Callee = "pcallee";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);
    private const long Now = TestTangle.GenesisTime + 3_600_000;

    private readonly TestTangle _tangle = new();
    private readonly PeerKey _member = PeerKey.Create();
    private readonly MembershipCredential _credential;

    public CallProofProperties() => _credential = _tangle.Credential(_member);

    public void Dispose()
    {
        _member.Dispose();
        _tangle.Dispose();
    }

    /// <summary>The member's headers; its credential is issued once (ECDSA signatures differ each time).</summary>
    private (string Credential, string Proof) ValidHeaders() => MemberCallHeaders.Create(_credential, _member, Callee, Now);

    /// <summary>Any text; the valid headers mutated byte by byte; proof-shaped text with extreme and malformed times.</summary>
    private Gen<string> HeaderText(string valid) => Gen.OneOf(
        Gen.String,
        Mutations.Of(Gen.Const(System.Text.Encoding.UTF8.GetBytes(valid))).Select(System.Text.Encoding.Latin1.GetString),
        Gen.Select(Gen.Const(valid.Split('.')), Gen.OneOf(Gen.Long.Select(t => t.ToString()), Gen.Const("-0"), Gen.Const("99999999999999999999"), Gen.Const("")))
            .Select((parts, time) => parts.Length == 3 ? $"{parts[0]}.{time}.{parts[2]}" : valid),
        Gen.Char["."].Array[0, 600].Select(chars => new string(chars)));

    [Fact]
    public void Parsed_proofs_hold_the_three_parts_of_their_text() =>
        HeaderText(ValidHeaders().Proof).Sample(text =>
        {
            if (!CallProof.TryParse(text, out var proof))
                return;
            var parts = text.Split('.');
            Assert.Equal((parts[0], parts[2]), (proof.PublicKey, proof.Signature));
            Assert.True(proof.TimeMs >= 0);
            Assert.Equal(proof, CallProof.TryParse(proof.ToString(), out var again) ? again : null);
        }, iter: 2000);

    /// <summary>Clock pairs whose difference is any long, extremes first, or overflows one.</summary>
    private static readonly Gen<(long Now, long Proof)> Clocks =
        Gen.Select(TransactionGen.Longs(), Gen.OneOf(TransactionGen.Longs(), Gen.Const(1L), Gen.Const(-1L)), (now, difference) => (now, unchecked(now - difference)));

    [Fact]
    public void Checking_a_proof_never_throws_whatever_the_clocks() =>
        Gen.Select(Clocks, TransactionGen.Text).Sample((clocks, signature) =>
        {
            var proof = new CallProof(_member.PublicKey, clocks.Proof, signature);
            var check = proof.Check(MemberCallHeaders.Purpose, Callee, [], clocks.Now, Skew);
            Assert.NotEqual(ProofCheck.Valid, check);
        }, iter: 1000);

    [Fact]
    public void A_proof_a_long_away_from_now_is_stale_not_an_overflow()
    {
        // Regression: Math.Abs(nowMs - TimeMs) threw OverflowException when the difference was long.MinValue, as for a
        // proof dated now + long.MinValue (a time_ms any caller can put in a RequestProof).
        var proof = new CallProof(_member.PublicKey, unchecked(Now + long.MinValue), "");
        Assert.Equal(ProofCheck.Stale, proof.Check(MemberCallHeaders.Purpose, Callee, [], Now, Skew));
        Assert.Equal(ProofCheck.Stale, (proof with { TimeMs = 0 }).Check(MemberCallHeaders.Purpose, Callee, [], long.MinValue, Skew));
    }

    [Fact]
    public void A_proof_made_at_any_instant_is_valid_then() =>
        Gen.Long[0, long.MaxValue].Sample(at =>
            Assert.Equal(ProofCheck.Valid, CallProof.Create(_member, MemberCallHeaders.Purpose, Callee, at, [1, 2]).Check(MemberCallHeaders.Purpose, Callee, [1, 2], at, Skew)), iter: 100);

    [Fact]
    public void Membership_headers_either_prove_a_membership_or_say_why_not()
    {
        var valid = ValidHeaders();
        var credentials = Gen.OneOf(Gen.Const(valid.Credential), HeaderText(valid.Credential),
            Mutations.Of(Gen.Const(_credential.Encode())).Select(bytes => Base64Url.EncodeToString(bytes)));
        Gen.Select(Gen.OneOf(credentials, Gen.Const((string)null!)), Gen.OneOf(Gen.Const(valid.Proof), HeaderText(valid.Proof), Gen.Const((string)null!))).Sample((credential, proof) =>
        {
            var grant = MemberCallHeaders.Check(credential, proof, _tangle.Bootstrap.PublicKey, _tangle.Genesis, Callee, Now, Skew, out var problem);
            if (grant is null)
            {
                Assert.NotEmpty(problem);
                return;
            }
            // Header text is never hashed, so a looser spelling (base64url padding or whitespace, a time with leading
            // zeros) may pass; what it decodes to must be exactly the member's credential and proof.
            Assert.Equal(_member.Id, grant.Subject);
            Assert.Equal(_credential, MembershipCredential.Decode(Base64Url.DecodeFromChars(credential)));
            Assert.Equal(CallProof.TryParse(valid.Proof, out var expected) ? expected : null, CallProof.TryParse(proof, out var actual) ? actual : null);
        }, iter: 2000);
    }

    // A credential header over 2 KiB or a proof over 512 characters is refused before it is decoded: what checking
    // headers of any length allocates is bounded by a constant (the decoded credential, the proof parts, the signed
    // payload, the key object), measured at 4 to 19 KiB. The 19 KiB is a proof padded to just under the limit, which is
    // decoded before it fails (CsCheck_Seed=3AQn3WBBPtm2: 19,464 bytes); such inputs are rare among the samples, so a
    // 16 KiB bound failed now and then. The bound is a constant all the same.
    [Fact]
    public void Checking_headers_of_any_length_allocates_at_most_32_KiB()
    {
        var valid = ValidHeaders();
        MemberCallHeaders.Check(valid.Credential, valid.Proof, _tangle.Bootstrap.PublicKey, _tangle.Genesis, Callee, Now, Skew, out _);
        Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 100_000], Gen.Bool).Sample((credentialLength, proofLength, padCredential) =>
        {
            var credential = padCredential ? valid.Credential + new string('A', credentialLength) : valid.Credential;
            var proof = padCredential ? valid.Proof : valid.Proof + new string('A', proofLength);
            var allocated = HostileInput.BytesAllocatedBy(() => MemberCallHeaders.Check(credential, proof, _tangle.Bootstrap.PublicKey, _tangle.Genesis, Callee, Now, Skew, out _));
            HostileInput.AssertAllocationWithin(allocated, credential.Length + proof.Length, 0, 32 * 1024, "MemberCallHeaders.Check");
        }, iter: 200, threads: 1);
    }
}
