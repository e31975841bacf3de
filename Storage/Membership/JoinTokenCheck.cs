using System.Security.Cryptography;
using System.Text;

namespace MlAspire.Storage.Membership;

public enum JoinTokenVerdict { Admitted, Missing, Rejected }

/// <summary>
/// Checks an "Authorization: Bearer &lt;join token&gt;" header against the network's join token; with no token set, the
/// network is open and every caller is admitted. Fixed-length hashes are compared in constant time, so a wrong guess
/// reveals neither the token's content nor its length. The Bootstrap's calls and a peer's model export ask the same.
/// </summary>
public sealed class JoinTokenCheck(string? token)
{
    private const string BearerPrefix = "Bearer ";

    private readonly byte[]? _tokenHash = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public JoinTokenVerdict Check(string? authorization)
    {
        if (_tokenHash is null)
            return JoinTokenVerdict.Admitted;
        if (authorization is null || !authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            return JoinTokenVerdict.Missing;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[BearerPrefix.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _tokenHash) ? JoinTokenVerdict.Admitted : JoinTokenVerdict.Rejected;
    }
}
