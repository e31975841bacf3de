using System.Buffers.Text;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Storage.Membership;

/// <summary>
/// How a member proves membership on a call to another member's TangleSync service: two gRPC metadata entries, its
/// credential and a <see cref="CallProof"/> for purpose "tangle-sync" whose audience is the callee's peer id.
/// </summary>
public static class MemberCallHeaders
{
    public const string Credential = "mlaspire-credential";
    public const string Proof = "mlaspire-proof";
    public const string Purpose = "tangle-sync";

    /// <summary>The two header values: the credential in base64url (no padding), and the proof's text.</summary>
    public static (string Credential, string Proof) Create(MembershipCredential credential, PeerKey key, string calleePeerId, long nowMs) =>
        (Base64Url.EncodeToString(credential.Encode()), CallProof.Create(key, Purpose, calleePeerId, nowMs, []).ToString());

    /// <summary>
    /// Who is calling, when the headers prove a membership of <paramref name="genesis"/> valid now; otherwise null and
    /// <paramref name="problem"/> says why. Never throws on malformed input.
    /// </summary>
    public static MembershipGrant? Check(string? credentialHeader, string? proofHeader, string issuerKey, Cid genesis, string calleePeerId, long nowMs, TimeSpan skew, out string problem)
    {
        if (credentialHeader is null || proofHeader is null)
        {
            problem = $"membership headers missing: send '{Credential}' and '{Proof}'";
            return null;
        }
        if (credentialHeader.Length > MembershipCredential.MaxEncodedBytes * 2 || !CallProof.TryParse(proofHeader, out var proof))
        {
            problem = "membership headers malformed";
            return null;
        }
        MembershipCredential credential;
        try
        {
            credential = MembershipCredential.Decode(Base64Url.DecodeFromChars(credentialHeader));
        }
        catch (FormatException e)
        {
            problem = $"credential malformed: {e.Message}";
            return null;
        }
        // The credential first (checked against the Bootstrap's key, which is always at hand), the caller's own key after:
        // an outsider's fresh keys are refused before any of them is imported.
        if (proof.PeerId is not { } caller)
        {
            problem = "call proof malformed";
            return null;
        }
        var check = credential.Check(issuerKey, genesis, caller, nowMs, skew);
        if (check != CredentialCheck.Valid)
        {
            problem = $"credential {check}";
            return null;
        }
        if (proof.Check(Purpose, calleePeerId, [], nowMs, skew) != ProofCheck.Valid)
        {
            problem = "call proof invalid or stale";
            return null;
        }
        problem = "";
        return credential.Grant;
    }
}
